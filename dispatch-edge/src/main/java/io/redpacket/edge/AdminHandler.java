package io.redpacket.edge;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * The operator endpoint: {@code POST /admin/<action>} with a bearer token; {@code GET /admin/status} reads.
 * Served on its own port (127.0.0.1 by default) so the public port never exposes switches.
 */
public final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final String PREFIX = "/admin/";
    private final AdminService admin;

    public AdminHandler(AdminService admin) {
        this.admin = admin;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        QueryStringDecoder query = new QueryStringDecoder(req.uri());
        String path = query.path();
        AdminService.Answer answer;
        if (!path.startsWith(PREFIX)) {
            answer = new AdminService.Answer(404, "{\"error\":\"not found\"}");
        } else {
            String action = path.substring(PREFIX.length());
            boolean read = action.equals("status");
            if (!read && req.method() != HttpMethod.POST) {
                answer = new AdminService.Answer(405, "{\"error\":\"switches need POST\"}");
            } else {
                answer = admin.handle(req.headers().get(HttpHeaderNames.AUTHORIZATION), action, HttpReplies.params(query, req));
            }
        }
        HttpReplies.write(ctx, HttpReplies.reply(ctx.alloc(), answer.status(), HttpReplies.JSON, answer.json()), HttpUtil.isKeepAlive(req));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
