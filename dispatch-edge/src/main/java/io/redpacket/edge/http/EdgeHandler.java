package io.redpacket.edge.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.redpacket.edge.EdgeService;
import io.redpacket.edge.OpenResult;
import io.redpacket.edge.ShakeResult;
import io.redpacket.edge.guard.ConnectionGuard;
import io.redpacket.net.TrustedProxies;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Maps HTTP onto {@link EdgeService}: {@code POST /shake}, {@code POST /open}, {@code GET /metrics},
 * {@code GET /health}. The user is whoever the session credential ({@code Authorization: Session <credential>})
 * says, verified locally. Answers leave in request order, whatever happens (HTTP/1.1 pipelining): a malformed,
 * oversized or ambiguously framed request is answered 400 after the answers before it, then the connection closes
 * and nothing after it is read. Shakes are answered at once; an open when Kafka acknowledges it, from the event
 * loop, never by blocking it. A connection with many unanswered requests stops being read until they drain, and
 * one whose address is over its rate stops being read for the retry-after: the attacker's own TCP buffers absorb
 * the flood. One instance per channel.
 */
public final class EdgeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    static final int MAX_PENDING_PER_CONNECTION = 16;
    /** A connection answered 429 this many times in a row is closed: its client does not honour Retry-After. */
    static final int MAX_LIMITED_IN_A_ROW = 8;

    static final String SESSION_SCHEME = "Session ";

    private record Pending(CompletableFuture<FullHttpResponse> reply, boolean keepAlive) {}

    private final EdgeService service;
    private final TrustedProxies proxies;
    private final ConnectionGuard guard;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private boolean closing;
    private boolean paused;
    private boolean peerTrusted;
    private String peerAddress;
    private String peerKey;
    private int limitedInARow;

    public EdgeHandler(EdgeService service) {
        this(service, TrustedProxies.none(), null);
    }

    /** @param proxies whose X-Forwarded-For is believed; @param guard for the connection count in /metrics (may be null) */
    public EdgeHandler(EdgeService service, TrustedProxies proxies, ConnectionGuard guard) {
        this.service = service;
        this.proxies = proxies;
        this.guard = guard;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (closing) {
            // After a request that ends the connection nothing more is served, in order.
            return;
        }
        ConnectionGuard.requestStarted(ctx.channel());
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (!req.decoderResult().isSuccess()) {
            Throwable cause = req.decoderResult().cause();
            service.metrics().badRequests.increment();
            int status = cause instanceof TooLongHttpHeaderException || cause instanceof TooLongHttpLineException
                    ? 431
                    : cause instanceof TooLongFrameException ? 413 : 400;
            enqueue(
                    ctx,
                    done(
                            ctx,
                            status,
                            new Json()
                                    .str("result", "bad_request")
                                    .str("detail", "malformed request")
                                    .toString()),
                    false);
            return;
        }
        String address;
        String addressKey;
        if (peerAddress == null) {
            // The peer of a connection does not change: its address, its limit key and whether it is a trusted proxy
            // are
            // worked out once per connection.
            peerTrusted = proxies.trusts(ctx.channel().remoteAddress());
            peerAddress = proxies.clientAddress(ctx.channel().remoteAddress(), null);
            peerKey = TrustedProxies.limitKey(peerAddress);
        }
        if (peerTrusted) {
            address = proxies.clientAddress(
                    ctx.channel().remoteAddress(), req.headers().get("X-Forwarded-For"));
            addressKey = TrustedProxies.limitKey(address);
        } else {
            address = peerAddress;
            addressKey = peerKey;
        }
        long wait = service.admitAddress(addressKey);
        if (wait > 0) {
            limited(ctx, wait, keepAlive);
            return;
        }
        limitedInARow = 0;
        FormRequest p;
        try {
            p = FormRequest.of(req);
        } catch (IllegalArgumentException e) {
            service.metrics().badRequests.increment();
            enqueue(
                    ctx,
                    done(
                            ctx,
                            400,
                            new Json()
                                    .str("result", "bad_request")
                                    .str("detail", "invalid percent-escape")
                                    .toString()),
                    keepAlive);
            return;
        }
        CompletableFuture<FullHttpResponse> reply;
        switch (p.path()) {
            case "/shake" -> {
                if (!allowed(req, HttpMethod.POST)) {
                    reply = wrongMethod(ctx, "POST");
                } else {
                    ShakeResult r = service.shake(session(req), p.get("device"), p.get("state"));
                    reply = CompletableFuture.completedFuture(shakeReply(ctx, r));
                }
            }
            case "/open" -> {
                if (!allowed(req, HttpMethod.POST)) {
                    reply = wrongMethod(ctx, "POST");
                } else {
                    reply = service.open(session(req), p.get("device"), p.get("token"), address, p.get("clientVersion"))
                            .thenApply(r -> openReply(ctx, r));
                }
            }
            case "/metrics" ->
                reply = allowed(req, HttpMethod.GET)
                        ? CompletableFuture.completedFuture(
                                HttpReplies.reply(ctx.alloc(), 200, HttpReplies.TEXT, service.metricsText(guard)))
                        : wrongMethod(ctx, "GET");
            case "/health" ->
                reply = allowed(req, HttpMethod.GET) ? done(ctx, 200, "{\"result\":\"ok\"}") : wrongMethod(ctx, "GET");
            default -> reply = done(ctx, 404, "{\"result\":\"not_found\"}");
        }
        enqueue(ctx, reply, keepAlive);
    }

    private static String session(FullHttpRequest req) {
        String h = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        return h != null && h.regionMatches(true, 0, SESSION_SCHEME, 0, SESSION_SCHEME.length())
                ? h.substring(SESSION_SCHEME.length()).trim()
                : null;
    }

    private static boolean allowed(FullHttpRequest req, HttpMethod... methods) {
        for (HttpMethod m : methods) {
            if (req.method().equals(m)) {
                return true;
            }
        }
        return false;
    }

    private CompletableFuture<FullHttpResponse> wrongMethod(ChannelHandlerContext ctx, String allow) {
        service.metrics().wrongMethods.increment();
        FullHttpResponse res = HttpReplies.reply(
                ctx.alloc(),
                405,
                HttpReplies.JSON,
                new Json()
                        .str("result", "bad_request")
                        .str("detail", "method not allowed, use " + allow)
                        .toString());
        res.headers().set(HttpHeaderNames.ALLOW, allow);
        return CompletableFuture.completedFuture(res);
    }

    /**
     * Over the address's rate: 429 with Retry-After, and the connection is not read until then, so a pipelined flood
     * waits in the sender's buffers at no cost here. Too many in a row: closed.
     */
    private void limited(ChannelHandlerContext ctx, long waitMs, boolean keepAlive) {
        FullHttpResponse res = HttpReplies.reply(
                ctx.alloc(),
                429,
                HttpReplies.JSON,
                new Json()
                        .str("result", "slow_down")
                        .num("retryAfterMs", waitMs)
                        .str("detail", "too many requests from this address")
                        .toString());
        retryAfter(res, waitMs);
        boolean close = ++limitedInARow >= MAX_LIMITED_IN_A_ROW;
        enqueue(ctx, CompletableFuture.completedFuture(res), keepAlive && !close);
        if (!close && !paused) {
            paused = true;
            ctx.channel().config().setAutoRead(false);
            ctx.executor()
                    .schedule(
                            () -> {
                                paused = false;
                                if (!closing && pending.size() < MAX_PENDING_PER_CONNECTION) {
                                    ctx.channel().config().setAutoRead(true);
                                }
                            },
                            Math.min(waitMs, 5_000),
                            TimeUnit.MILLISECONDS);
        }
    }

    private static void retryAfter(FullHttpResponse res, long ms) {
        res.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(Math.max(1, (ms + 999) / 1000)));
    }

    private static FullHttpResponse shakeReply(ChannelHandlerContext ctx, ShakeResult r) {
        FullHttpResponse res = HttpReplies.reply(ctx.alloc(), r.httpStatus(), HttpReplies.JSON, r.toJson());
        decorate(res, r.httpStatus(), r.retryAfterMs());
        return res;
    }

    private static FullHttpResponse openReply(ChannelHandlerContext ctx, OpenResult r) {
        FullHttpResponse res = HttpReplies.reply(ctx.alloc(), r.httpStatus(), HttpReplies.JSON, r.toJson());
        decorate(res, r.httpStatus(), r.retryAfterMs());
        return res;
    }

    private static void decorate(FullHttpResponse res, int status, long retryMs) {
        if (status == 401) {
            res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Session");
        } else if ((status == 429 || status == 503) && retryMs > 0) {
            retryAfter(res, retryMs);
        }
    }

    private static CompletableFuture<FullHttpResponse> done(ChannelHandlerContext ctx, int status, String json) {
        return CompletableFuture.completedFuture(HttpReplies.reply(ctx.alloc(), status, HttpReplies.JSON, json));
    }

    /** Answers in request order: at once when nothing is ahead, else behind the pending ones. */
    private void enqueue(ChannelHandlerContext ctx, CompletableFuture<FullHttpResponse> reply, boolean keepAlive) {
        if (!keepAlive) {
            closing = true;
            ctx.channel().config().setAutoRead(false);
        }
        if (pending.isEmpty() && reply.isDone()) {
            write(ctx, settled(ctx, reply), keepAlive);
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
            write(ctx, settled(ctx, p.reply), p.keepAlive);
        }
        if (!closing
                && !paused
                && pending.size() < MAX_PENDING_PER_CONNECTION
                && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private static void write(ChannelHandlerContext ctx, FullHttpResponse res, boolean keepAlive) {
        ConnectionGuard.answered(ctx.channel());
        HttpReplies.write(ctx, res, keepAlive);
    }

    private FullHttpResponse settled(ChannelHandlerContext ctx, CompletableFuture<FullHttpResponse> reply) {
        if (reply.isCompletedExceptionally()) {
            service.metrics().finalSystemFailures.increment();
            return HttpReplies.reply(
                    ctx.alloc(), 500, HttpReplies.JSON, "{\"result\":\"retry\",\"retryAfterMs\":1000}");
        }
        return reply.join();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        // Answers still pending have nowhere to go: release them when they complete.
        for (Pending p : pending) {
            p.reply.thenAccept(FullHttpResponse::release);
        }
        pending.clear();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Resets and the like: nothing to answer on a broken connection.
        ctx.close();
    }
}
