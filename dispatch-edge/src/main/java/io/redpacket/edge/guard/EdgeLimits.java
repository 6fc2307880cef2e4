package io.redpacket.edge.guard;

/**
 * What one client may cost an edge, parsed once from the command line. Every limit answers cheaply (a closed
 * connection, a 429 or 503 with a retry-after) before the request costs a signature, a file read or a Kafka send.
 *
 * @param maxConnections            open connections in total; above it the longest-idle connection is closed to make room
 * @param maxConnectionsPerAddress  open connections per client address (IPv6: per /64); trusted proxies are exempt
 * @param firstByteTimeoutMs        a new connection that sends nothing for this long is closed
 * @param requestTimeoutMs          a request must be complete this long after its first byte (slow senders are closed)
 * @param idleTimeoutMs             a kept-alive connection with nothing in flight is closed after this long
 * @param maxHeaderBytes            request line plus headers
 * @param maxBodyBytes              request body (a shake or open form is ~300 bytes)
 * @param addressPerSecond          requests per second per client address (token bucket), 0 = off
 * @param addressBurst              bucket size per address
 * @param userPerSecond             shakes per second per authenticated user, 0 = off
 * @param userBurst                 bucket size per user
 * @param shedLagMs                 event-loop lag above which shakes are shed with 503 (load shedding), 0 = off
 */
public record EdgeLimits(
        int maxConnections,
        int maxConnectionsPerAddress,
        long firstByteTimeoutMs,
        long requestTimeoutMs,
        long idleTimeoutMs,
        int maxHeaderBytes,
        int maxBodyBytes,
        double addressPerSecond,
        int addressBurst,
        double userPerSecond,
        int userBurst,
        long shedLagMs) {
    public EdgeLimits {
        if (maxConnections < 1 || maxConnectionsPerAddress < 1) {
            throw new IllegalArgumentException("connection limits must be positive");
        }
        if (firstByteTimeoutMs < 100 || requestTimeoutMs < 100 || idleTimeoutMs < 100) {
            throw new IllegalArgumentException("connection timeouts must be at least 100 ms");
        }
        if (maxHeaderBytes < 512 || maxBodyBytes < 256) {
            throw new IllegalArgumentException("header limit >= 512 bytes and body limit >= 256 bytes");
        }
        if (addressPerSecond < 0 || userPerSecond < 0 || addressBurst < 1 || userBurst < 1 || shedLagMs < 0) {
            throw new IllegalArgumentException("rates >= 0, bursts >= 1, shed lag >= 0");
        }
    }

    /**
     * Defaults for an edge facing users directly: 20,000 connections (the process needs a file descriptor limit above
     * that), 256 per address (a household or an office, not a carrier NAT: put edges behind a trusted proxy then),
     * 5 s to the first byte, 10 s per request, 30 s idle; 4 KiB of headers, 2 KiB of body; 200 requests/s per address
     * (burst 400) and 5 shakes/s per user (burst 10) where the server asks for one a second; shed shakes when an event
     * loop lags 100 ms.
     */
    public static EdgeLimits defaults() {
        return new EdgeLimits(20_000, 256, 5_000, 10_000, 30_000, 4096, 2048, 200, 400, 5, 10, 100);
    }

    public EdgeLimits withConnections(int total, int perAddress) {
        return new EdgeLimits(
                total,
                perAddress,
                firstByteTimeoutMs,
                requestTimeoutMs,
                idleTimeoutMs,
                maxHeaderBytes,
                maxBodyBytes,
                addressPerSecond,
                addressBurst,
                userPerSecond,
                userBurst,
                shedLagMs);
    }

    public EdgeLimits withTimeouts(long firstByte, long request, long idle) {
        return new EdgeLimits(
                maxConnections,
                maxConnectionsPerAddress,
                firstByte,
                request,
                idle,
                maxHeaderBytes,
                maxBodyBytes,
                addressPerSecond,
                addressBurst,
                userPerSecond,
                userBurst,
                shedLagMs);
    }

    public EdgeLimits withAddressRate(double perSecond, int burst) {
        return new EdgeLimits(
                maxConnections,
                maxConnectionsPerAddress,
                firstByteTimeoutMs,
                requestTimeoutMs,
                idleTimeoutMs,
                maxHeaderBytes,
                maxBodyBytes,
                perSecond,
                burst,
                userPerSecond,
                userBurst,
                shedLagMs);
    }

    public EdgeLimits withUserRate(double perSecond, int burst) {
        return new EdgeLimits(
                maxConnections,
                maxConnectionsPerAddress,
                firstByteTimeoutMs,
                requestTimeoutMs,
                idleTimeoutMs,
                maxHeaderBytes,
                maxBodyBytes,
                addressPerSecond,
                addressBurst,
                perSecond,
                burst,
                shedLagMs);
    }

    public EdgeLimits withShedLag(long ms) {
        return new EdgeLimits(
                maxConnections,
                maxConnectionsPerAddress,
                firstByteTimeoutMs,
                requestTimeoutMs,
                idleTimeoutMs,
                maxHeaderBytes,
                maxBodyBytes,
                addressPerSecond,
                addressBurst,
                userPerSecond,
                userBurst,
                ms);
    }
}
