package io.redpacket.edge.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** HTTP plumbing shared by the edge and admin handlers: parameters in, JSON or text out, keep-alive. */
public final class HttpReplies {
    private HttpReplies() {}

    public static final CharSequence JSON = HttpHeaderValues.APPLICATION_JSON;
    public static final CharSequence TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final int MAX_PARAMS = 16;

    /**
     * Query-string parameters, plus a form-encoded body's; the first value of each name.
     *
     * @throws IllegalArgumentException for an invalid percent-escape, in the path or the body (answered 400)
     */
    public static Map<String, String> params(QueryStringDecoder query, FullHttpRequest req) {
        Map<String, String> out = new HashMap<>();
        collect(query.parameters(), out);
        if (req.content().isReadable()) {
            CharSequence type = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
            if (type == null
                    || type.toString().startsWith(HttpHeaderValues.APPLICATION_X_WWW_FORM_URLENCODED.toString())) {
                collect(
                        new QueryStringDecoder(
                                        req.content().toString(StandardCharsets.UTF_8),
                                        StandardCharsets.UTF_8,
                                        false,
                                        MAX_PARAMS)
                                .parameters(),
                        out);
            }
        }
        return out;
    }

    /** The path of a request, decoded; throws IllegalArgumentException for an invalid escape. */
    public static QueryStringDecoder query(String uri) {
        QueryStringDecoder q = new QueryStringDecoder(uri, StandardCharsets.UTF_8, true, MAX_PARAMS);
        q.path();
        return q;
    }

    /**
     * Text safe for one log line: control characters (CR, LF, ...) and non-ASCII escaped as backslash-u and four hex digits, cut at 200
     * characters, so a request cannot forge or split log lines.
     */
    public static String loggable(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 200) + 8);
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7F || c == '\\') {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return s.length() > 200 ? sb.append("...").toString() : sb.toString();
    }

    private static void collect(Map<String, List<String>> params, Map<String, String> out) {
        params.forEach((k, v) -> {
            if (!v.isEmpty()) {
                out.putIfAbsent(k, v.get(0));
            }
        });
    }

    /**
     * Answers carry only headers this class and the handlers write (constant names; values that are constants or numbers):
     * validating them again on every answer would be work for nothing. Requests are validated by the decoder.
     */
    private static final HttpHeadersFactory OWN_HEADERS =
            DefaultHttpHeadersFactory.headersFactory().withValidation(false);

    private static final HttpHeadersFactory OWN_TRAILERS =
            DefaultHttpHeadersFactory.trailersFactory().withValidation(false);

    public static FullHttpResponse reply(ByteBufAllocator alloc, int status, CharSequence contentType, String body) {
        ByteBuf content = ByteBufUtil.writeUtf8(alloc, body);
        FullHttpResponse res = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), content, OWN_HEADERS, OWN_TRAILERS);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return res;
    }

    public static void write(ChannelHandlerContext ctx, FullHttpResponse res, boolean keepAlive) {
        if (keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(res, ctx.voidPromise());
        } else {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
