package io.redpacket.edge.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;

/**
 * Marks requests whose framing is not plain as failed, so the handler answers 400 in order and closes: a
 * Transfer-Encoding other than exactly {@code chunked}, several Content-Length headers, several Transfer-Encoding
 * headers. (Both Content-Length and Transfer-Encoding: see {@link StrictRequestDecoder}.)
 */
final class FramingGuard extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest req && req.decoderResult().isSuccess()) {
            String problem = problem(req);
            if (problem != null) {
                req.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(problem)));
            }
        }
        super.channelRead(ctx, msg);
    }

    static String problem(HttpRequest req) {
        List<String> te = req.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
        List<String> cl = req.headers().getAll(HttpHeaderNames.CONTENT_LENGTH);
        if (te.size() > 1
                || (te.size() == 1
                        && !HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(
                                te.get(0).trim()))) {
            return "Transfer-Encoding other than chunked";
        }
        if (cl.size() > 1) {
            return "several Content-Length headers";
        }
        if (!te.isEmpty() && !cl.isEmpty()) {
            return "both Content-Length and Transfer-Encoding";
        }
        return null;
    }
}
