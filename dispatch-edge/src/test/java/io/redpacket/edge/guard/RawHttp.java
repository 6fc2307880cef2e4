package io.redpacket.edge.guard;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal HTTP/1.1 client on a socket bound to a chosen loopback source address (127.0.0.0/8 is all loopback on
 * Linux), so one test plays many client addresses. Keep-alive; answers read by Content-Length.
 */
final class RawHttp implements AutoCloseable {
    record Answer(int status, String body) {}

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttp(String sourceAddress, int port, int timeoutMs) throws IOException {
        socket = new Socket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(sourceAddress, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMs);
        socket.setSoTimeout(timeoutMs);
        socket.setTcpNoDelay(true);
        in = new java.io.BufferedInputStream(socket.getInputStream(), 16 * 1024);
        out = socket.getOutputStream();
    }

    static String shakeRequest(String authorization, String device) {
        String body = "device=" + device;
        return "POST /shake HTTP/1.1\r\nHost: edge\r\nAuthorization: " + authorization
                + "\r\nContent-Type: application/x-www-form-urlencoded\r\n" + "Content-Length: " + body.length()
                + "\r\n\r\n" + body;
    }

    void send(String request) throws IOException {
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads one answer; throws on a closed connection or a timeout. */
    Answer read() throws IOException {
        String head = readHead();
        int status = Integer.parseInt(head.substring(9, 12));
        int length = 0;
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new IOException("connection closed mid-answer");
        }
        return new Answer(status, new String(body, StandardCharsets.UTF_8));
    }

    Answer call(String request) throws IOException {
        send(request);
        return read();
    }

    private String readHead() throws IOException {
        StringBuilder sb = new StringBuilder();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed");
            }
            sb.append((char) b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1
                    : 0;
        }
        return sb.toString();
    }

    boolean closedByPeer() {
        try {
            socket.setSoTimeout(50);
            return in.read() < 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a socket the peer already reset.
        }
    }
}
