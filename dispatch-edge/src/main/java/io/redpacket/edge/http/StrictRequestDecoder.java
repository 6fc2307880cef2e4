package io.redpacket.edge.http;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;

/**
 * HTTP/1.1 request decoding that refuses ambiguous framing. A request with both {@code Content-Length} and
 * {@code Transfer-Encoding} is the shape of request smuggling (a front proxy and the edge could split the stream
 * differently); Netty's default drops the length and carries on, this decoder fails the request instead (the
 * handler answers 400 after the earlier answers and closes the connection).
 */
final class StrictRequestDecoder extends HttpRequestDecoder {
    StrictRequestDecoder(int maxInitialLine, int maxHeaderBytes) {
        super(new HttpDecoderConfig()
                .setMaxInitialLineLength(maxInitialLine)
                .setMaxHeaderSize(maxHeaderBytes)
                .setMaxChunkSize(8192));
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        throw new IllegalArgumentException("both Content-Length and Transfer-Encoding: ambiguous framing");
    }
}
