package io.redpacket.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The in-place split gives exactly what Netty's decoder gives, for plain and for awkward requests alike. */
class FormRequestTest {
    static final String[] NAMES = {"device", "state", "token", "clientVersion", "x", ""};

    private static FullHttpRequest request(String uri, String body, String contentType) {
        FullHttpRequest req = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1, HttpMethod.POST, uri, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        if (contentType != null) {
            req.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        return req;
    }

    private static void same(String uri, String body, String contentType) {
        FullHttpRequest req = request(uri, body, contentType);
        try {
            String expectedPath;
            Map<String, String> expected;
            try {
                var q = HttpReplies.query(uri);
                expectedPath = q.path();
                expected = HttpReplies.params(q, req);
            } catch (IllegalArgumentException e) {
                expectedPath = null;
                expected = null;
            }
            FormRequest ours;
            try {
                ours = FormRequest.of(req);
            } catch (IllegalArgumentException e) {
                ours = null;
            }
            assertThat(ours == null).as("400 for '%s' '%s'", uri, body).isEqualTo(expected == null);
            if (ours != null) {
                assertThat(ours.path()).isEqualTo(expectedPath);
                for (String n : NAMES) {
                    assertThat(ours.get(n)).as("%s in '%s' '%s'", n, uri, body).isEqualTo(expected.get(n));
                }
            }
        } finally {
            req.release();
        }
    }

    @Test
    void plainFormsAndAwkwardOnesAlike() {
        same("/shake", "device=dev-b-1", "application/x-www-form-urlencoded");
        same("/open", "device=d&token=AbC-_09&clientVersion=1.2.3&device=other", null);
        same("/shake", "device=d", "text/plain");
        same("/shake", "", null);
        same("/shake?device=q", "device=b", null);
        same("/sh%61ke", "device=a%20b", null);
        same("/shake", "device=a+b;state=s", null);
        same("/shake", "device=%zz", null);
        same("/shake", "=x&device=&&token", null);
        same("/shake", "a=1&a=2&b=3&c=4&d=5&e=6&f=7&g=8&h=9&i=10&j=11&k=12&l=13&m=14&n=15&o=16&device=17", null);
        Random r = new Random(13);
        String chars = "abcdevicstokn=&=&%2+;#?.-_:@Z9 \u00e9";
        for (int i = 0; i < 50_000; i++) {
            StringBuilder body = new StringBuilder();
            int len = r.nextInt(30);
            for (int k = 0; k < len; k++) {
                body.append(chars.charAt(r.nextInt(chars.length())));
            }
            String b = r.nextBoolean() ? "device=" + body : body.toString();
            same(
                    r.nextInt(8) == 0 ? "/shake?" + b : "/shake",
                    b,
                    r.nextInt(4) == 0 ? null : "application/x-www-form-urlencoded");
        }
    }
}
