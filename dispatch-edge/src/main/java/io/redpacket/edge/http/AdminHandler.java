package io.redpacket.edge.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.redpacket.edge.control.AdminService;
import io.redpacket.edge.guard.ConnectionGuard;
import java.util.Map;

/**
 * The local diagnostics endpoint: {@code GET /admin/status}, {@code POST /admin/<switch>} with a bearer token.
 * On its own port (127.0.0.1 by default) so the public port never exposes switches. One request at a time per
 * connection (answers are immediate), so order holds.
 */
public final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final String PREFIX = "/admin/";
    private final AdminService admin;

    public AdminHandler(AdminService admin) {
        this.admin = admin;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        ConnectionGuard.requestStarted(ctx.channel());
        AdminService.Answer answer;
        boolean keepAlive = HttpUtil.isKeepAlive(req) && req.decoderResult().isSuccess();
        try {
            if (!req.decoderResult().isSuccess()) {
                answer = new AdminService.Answer(400, "{\"error\":\"malformed request\"}");
            } else {
                QueryStringDecoder query = HttpReplies.query(req.uri());
                String path = query.path();
                if (!path.startsWith(PREFIX)) {
                    answer = new AdminService.Answer(404, "{\"error\":\"not found\"}");
                } else {
                    String action = path.substring(PREFIX.length());
                    boolean read = action.equals("status");
                    if (read
                            ? !req.method().equals(HttpMethod.GET)
                            : !req.method().equals(HttpMethod.POST)) {
                        answer = new AdminService.Answer(
                                405, read ? "{\"error\":\"status needs GET\"}" : "{\"error\":\"switches need POST\"}");
                    } else {
                        Map<String, String> params = HttpReplies.params(query, req);
                        answer = admin.handle(req.headers().get(HttpHeaderNames.AUTHORIZATION), action, params);
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            answer = new AdminService.Answer(400, "{\"error\":\"invalid percent-escape\"}");
        }
        ConnectionGuard.answered(ctx.channel());
        HttpReplies.write(
                ctx, HttpReplies.reply(ctx.alloc(), answer.status(), HttpReplies.JSON, answer.json()), keepAlive);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
