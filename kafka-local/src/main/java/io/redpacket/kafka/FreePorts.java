package io.redpacket.kafka;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for one run of several servers that start one after another, some of which take
 * consecutive ports (edge i listens on base + i - 1): every port of a range is checked, and no port is handed
 * out twice by one instance, so a range cannot overlap another port of the same run.
 *
 * <p>Ports come from below the kernel's ephemeral range (Linux: {@code ip_local_port_range}). A port the
 * kernel hands out for "any free port" or an outgoing connection lies in that range, so a port chosen there can
 * be taken between choosing it and binding it (seen: an edge started 13 s after its port was chosen collided with
 * a socket of the Flink mini cluster or a Kafka client of the same campaign).
 */
public final class FreePorts {
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LOWEST = 10_000;

    private final Set<Integer> taken = new HashSet<>();
    private final int below = firstEphemeralPort();

    /** A port p such that p .. p + width - 1 are all free now and none of them was handed out before. */
    public synchronized int next(int width) {
        while (true) {
            int p = below - width > LOWEST
                    ? LOWEST + ThreadLocalRandom.current().nextInt(below - width - LOWEST)
                    : LocalKafkaBroker.freePort();
            boolean ok = p + width - 1 <= 65535;
            for (int i = 0; ok && i < width; i++) {
                ok = !taken.contains(p + i) && bindable(p + i);
            }
            if (ok) {
                for (int i = 0; i < width; i++) {
                    taken.add(p + i);
                }
                return p;
            }
        }
    }

    private static int firstEphemeralPort() {
        try {
            return Integer.parseInt(
                    Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 0; // unknown (not Linux): fall back to ports the kernel chooses
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
