package io.redpacket.edge;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Maps HTTP onto {@link EdgeService}: {@code /shake}, {@code /open}, {@code /metrics}, {@code /health}.
 * Shakes are answered at once; an open is answered when Kafka acknowledges it, from the event loop, never by
 * blocking it. Answers leave in request order (HTTP/1.1 pipelining), and a connection with many unanswered
 * requests stops being read until they drain, so no queue grows without bound. One instance per channel.
 */
public final class EdgeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    static final int MAX_PENDING_PER_CONNECTION = 16;

    private record Pending(CompletableFuture<FullHttpResponse> reply, boolean keepAlive) {}

    private final EdgeService service;
    private final boolean trustForwardedFor;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();

    public EdgeHandler(EdgeService service) {
        this(service, false);
    }

    /** @param trustForwardedFor take the client IP from X-Forwarded-For (only behind a proxy that sets it) */
    public EdgeHandler(EdgeService service, boolean trustForwardedFor) {
        this.service = service;
        this.trustForwardedFor = trustForwardedFor;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.decoderResult().isSuccess()) {
            service.metrics().badRequests.increment();
            HttpReplies.write(ctx, HttpReplies.reply(ctx.alloc(), 400, HttpReplies.JSON, "{\"result\":\"bad_request\"}"), false);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        QueryStringDecoder query = new QueryStringDecoder(req.uri());
        Map<String, String> p = HttpReplies.params(query, req);
        CompletableFuture<FullHttpResponse> reply;
        switch (query.path()) {
            case "/shake" -> {
                ShakeResult r = service.shake(p.get("user"), p.get("state"));
                FullHttpResponse res = HttpReplies.reply(ctx.alloc(), r.httpStatus(), HttpReplies.JSON, r.toJson());
                if (pending.isEmpty()) {
                    // The hot path: nothing ahead of it on this connection, answer at once.
                    HttpReplies.write(ctx, res, keepAlive);
                    return;
                }
                reply = CompletableFuture.completedFuture(res);
            }
            case "/open" -> reply = service.open(p.get("user"), p.get("token"), p.get("device"), clientIp(ctx, req), p.get("clientVersion"))
                    .thenApply(r -> HttpReplies.reply(ctx.alloc(), r.httpStatus(), HttpReplies.JSON, r.toJson()));
            case "/metrics" -> reply = CompletableFuture.completedFuture(HttpReplies.reply(ctx.alloc(), 200, HttpReplies.TEXT, service.metricsText()));
            case "/health" -> reply = CompletableFuture.completedFuture(HttpReplies.reply(ctx.alloc(), 200, HttpReplies.JSON, "{\"result\":\"ok\"}"));
            default -> reply = CompletableFuture.completedFuture(HttpReplies.reply(ctx.alloc(), 404, HttpReplies.JSON, "{\"result\":\"not_found\"}"));
        }
        if (pending.isEmpty() && reply.isDone()) {
            HttpReplies.write(ctx, settled(ctx, reply), keepAlive);
            return;
        }
        pending.add(new Pending(reply, keepAlive));
        if (pending.size() >= MAX_PENDING_PER_CONNECTION) {
            ctx.channel().config().setAutoRead(false);
        }
        reply.whenComplete((r, ex) -> ctx.executor().execute(() -> drain(ctx)));
    }

    private void drain(ChannelHandlerContext ctx) {
        while (!pending.isEmpty() && pending.peek().reply.isDone()) {
            Pending p = pending.poll();
            HttpReplies.write(ctx, settled(ctx, p.reply), p.keepAlive);
        }
        if (pending.size() < MAX_PENDING_PER_CONNECTION && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private FullHttpResponse settled(ChannelHandlerContext ctx, CompletableFuture<FullHttpResponse> reply) {
        if (reply.isCompletedExceptionally()) {
            service.metrics().finalSystemFailures.increment();
            return HttpReplies.reply(ctx.alloc(), 500, HttpReplies.JSON, "{\"result\":\"retry\",\"retryAfterMs\":1000}");
        }
        return reply.join();
    }

    private String clientIp(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (trustForwardedFor) {
            String xff = req.headers().get("X-Forwarded-For");
            if (xff != null && !xff.isBlank()) {
                int comma = xff.indexOf(',');
                return (comma < 0 ? xff : xff.substring(0, comma)).trim();
            }
        }
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null ? a.getAddress().getHostAddress() : "";
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Resets, read timeouts: nothing to answer on a broken or idle connection.
        ctx.close();
    }
}
