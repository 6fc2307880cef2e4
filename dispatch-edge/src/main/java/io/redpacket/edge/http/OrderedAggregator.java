package io.redpacket.edge.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The aggregator, except that an oversized body is not answered here (Netty's writes 413 at once, ahead of answers
 * still pending on the connection): it is passed on as a failed request, which the handler answers in order.
 * No {@code 100-continue} either: a client that waits for it is an old client; it sends after a timeout anyway.
 */
final class OrderedAggregator extends HttpObjectAggregator {
    OrderedAggregator(int maxBodyBytes) {
        super(maxBodyBytes);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        HttpRequest r = (HttpRequest) oversized;
        FullHttpRequest failed =
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, r.method(), r.uri(), Unpooled.EMPTY_BUFFER);
        failed.setDecoderResult(DecoderResult.failure(
                new TooLongFrameException("request body above " + maxContentLength() + " bytes")));
        ctx.fireChannelRead(failed);
    }

    @Override
    protected Object newContinueResponse(
            HttpMessage start, int maxContentLength, io.netty.channel.ChannelPipeline pipeline) {
        return null;
    }
}
