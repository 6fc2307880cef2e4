package io.redpacket.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {
    @Test
    void rangesAreBindableDistinctAndBelowTheEphemeralPorts() throws Exception {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        int ephemeralLow = Files.exists(range)
                ? Integer.parseInt(Files.readAllLines(range).get(0).trim().split("\\s+")[0])
                : 65_536;
        FreePorts ports = new FreePorts();
        Set<Integer> seen = new HashSet<>();
        for (int n = 0; n < 50; n++) {
            int width = n % 2 + 1;
            int p = ports.next(width);
            for (int i = 0; i < width; i++) {
                assertThat(seen.add(p + i))
                        .as("port %d handed out twice", p + i)
                        .isTrue();
                assertThat(p + i).isLessThan(ephemeralLow);
                try (ServerSocket s = new ServerSocket(p + i, 1, InetAddress.getLoopbackAddress())) {
                    assertThat(s.getLocalPort()).isEqualTo(p + i);
                }
            }
        }
    }
}
