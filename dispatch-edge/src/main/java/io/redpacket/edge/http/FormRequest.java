package io.redpacket.edge.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The decoded path and parameters of a request: the query string's, then a form-encoded body's (the first value of
 * each name; the query wins), as {@link HttpReplies#params} gives them. What real clients send is plain (a bare path,
 * a body of {@code name=value} pairs of ids, tokens and base64url state, nothing to unescape): that is split in place,
 * without a decoder, a map or a copy per parameter. Anything else (a query string, an escape, a {@code +}, a
 * {@code ;}, a pair without {@code =}, more than {@link HttpReplies#MAX_PARAMS} pairs) goes through Netty's
 * {@link QueryStringDecoder} as before, so both give the same answer for every request.
 */
final class FormRequest {
    private final String path;
    /** Plain body: the text and, per pair, name start, name end (the '='), value end. */
    private final String body;

    private final int[] spans;
    private final int pairs;
    /** Anything else: Netty's decoding. */
    private final Map<String, String> decoded;

    private FormRequest(String path, String body, int[] spans, int pairs, Map<String, String> decoded) {
        this.path = path;
        this.body = body;
        this.spans = spans;
        this.pairs = pairs;
        this.decoded = decoded;
    }

    /** @throws IllegalArgumentException for an invalid percent-escape, in the path or the body (answered 400) */
    static FormRequest of(FullHttpRequest req) {
        String uri = req.uri();
        if (plainPath(uri)) {
            ByteBuf content = req.content();
            if (!content.isReadable() || !isForm(req)) {
                return new FormRequest(uri, null, null, 0, null);
            }
            int[] spans = new int[3 * HttpReplies.MAX_PARAMS];
            int pairs = split(content, spans);
            if (pairs >= 0) {
                return new FormRequest(uri, content.toString(StandardCharsets.US_ASCII), spans, pairs, null);
            }
        }
        QueryStringDecoder query = HttpReplies.query(uri);
        return new FormRequest(query.path(), null, null, 0, HttpReplies.params(query, req));
    }

    String path() {
        return path;
    }

    /** The first value of {@code name}, or null. */
    String get(String name) {
        if (decoded != null) {
            return decoded.get(name);
        }
        for (int p = 0; p < pairs; p++) {
            int nameStart = spans[3 * p];
            int eq = spans[3 * p + 1];
            if (eq - nameStart == name.length() && body.regionMatches(nameStart, name, 0, name.length())) {
                return body.substring(eq + 1, spans[3 * p + 2]);
            }
        }
        return null;
    }

    private static boolean isForm(FullHttpRequest req) {
        String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
        return type == null || type.startsWith(HttpHeaderValues.APPLICATION_X_WWW_FORM_URLENCODED.toString());
    }

    /** A path of letters, digits and {@code / . _ -} only: nothing to decode, no query string. */
    private static boolean plainPath(String uri) {
        for (int i = 0; i < uri.length(); i++) {
            if (!plain(uri.charAt(i)) && uri.charAt(i) != '/') {
                return false;
            }
        }
        return !uri.isEmpty();
    }

    /** Characters no decoder changes: letters, digits and {@code . _ : @ -} (ids, base64url). */
    private static boolean plain(int c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '.'
                || c == '_'
                || c == ':'
                || c == '@'
                || c == '-';
    }

    /**
     * Splits {@code name=value&name=value...} of plain characters (non-empty names, exactly one '=' per pair, at most
     * {@link HttpReplies#MAX_PARAMS} pairs) into {@code spans}: the pair count, or -1 for anything else.
     */
    private static int split(ByteBuf content, int[] spans) {
        int from = content.readerIndex();
        int to = content.writerIndex();
        int pairs = 0;
        int start = from;
        int eq = -1;
        for (int i = from; i <= to; i++) {
            int c = i < to ? content.getByte(i) : '&';
            if (c == '&') {
                if (eq < 0 || eq == start || pairs == HttpReplies.MAX_PARAMS) {
                    return -1;
                }
                spans[3 * pairs] = start - from;
                spans[3 * pairs + 1] = eq - from;
                spans[3 * pairs + 2] = i - from;
                pairs++;
                start = i + 1;
                eq = -1;
            } else if (c == '=') {
                if (eq >= 0) {
                    return -1;
                }
                eq = i;
            } else if (!plain(c)) {
                return -1;
            }
        }
        return pairs;
    }
}
