package io.redpacket.edge.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.redpacket.edge.Edge;
import io.redpacket.edge.EdgeSettings;
import io.redpacket.edge.ManualClock;
import io.redpacket.edge.dispense.ShardTable;
import io.redpacket.testkit.GeneratedCampaign;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defect 2, on loopback with real sockets (bounded: at most 1,800 attacking connections, well inside the process's
 * descriptor limit): connections that never send a byte, from one host and from many, and slow senders. Legitimate
 * clients (their own loopback addresses) keep being served while the flood holds its connections, and the edge
 * sheds the attack's connections on its own. Success rates and recovery are asserted, never speed.
 */
@Timeout(180)
class ConnectionFloodTest {
    @TempDir
    Path tmp;

    GeneratedCampaign campaign;
    Edge edge;
    final List<Socket> attack = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        campaign = GeneratedCampaign.builder()
                .sponsors(4)
                .perAllocation(5000)
                .sessionRing()
                .build(tmp.resolve("v"));
        EdgeLimits limits = EdgeLimits.defaults()
                .withConnections(600, 100)
                .withTimeouts(1_000, 2_000, 3_000)
                .withUserRate(0, 1)
                .withShedLag(0);
        Edge.Config c = Edge.Config.builder(
                        campaign.dir,
                        EdgeSettings.builder(1)
                                .openRole(false)
                                .dispensePerSecond(1_000_000)
                                .build(),
                        ShardTable.primaryOnly(1, List.of(0)),
                        tmp.resolve("state"),
                        GeneratedCampaign.PASSWORD.toCharArray(),
                        campaign.sessionRingFile())
                .limits(limits)
                .ioThreads(2)
                .build();
        edge = Edge.assemble(c, new ManualClock(GeneratedCampaign.T0 + 1000)).serve();
    }

    @AfterEach
    void stop() {
        attack.forEach(s -> {
            try {
                s.close();
            } catch (IOException ignored) {
                // already reset by the edge
            }
        });
        edge.close();
    }

    private void openIdle(String source, int n) {
        for (int i = 0; i < n; i++) {
            try {
                Socket s = new Socket();
                s.bind(new java.net.InetSocketAddress(source, 0));
                s.connect(
                        new java.net.InetSocketAddress(
                                "127.0.0.1", edge.server().port()),
                        2_000);
                attack.add(s);
            } catch (IOException e) {
                // Refused or timed out: the edge is protecting itself; the attacker just fails to get a connection.
            }
        }
    }

    /** Each legitimate user: a fresh connection from its own address, one shake. Returns the share answered 200. */
    private double legitimateRound(int users, String prefix) {
        int ok = 0;
        for (int u = 0; u < users; u++) {
            String user = prefix + u;
            try (RawHttp c =
                    new RawHttp("127.0.0." + (10 + u % 200), edge.server().port(), 10_000)) {
                ok += c.call(RawHttp.shakeRequest(campaign.auth(user), GeneratedCampaign.device(user)))
                                        .status()
                                == 200
                        ? 1
                        : 0;
            } catch (IOException e) {
                // counted as a failure
            }
        }
        return ok / (double) users;
    }

    @Test
    void idleConnectionsFromOneHostAndFromManyDoNotLockOutLegitimateUsersAndTheEdgeRecovers() throws Exception {
        ConnectionGuard guard = edge.server().guard();
        openIdle("127.0.0.2", 1_000);
        assertThat(legitimateRound(60, "a"))
                .as("legitimate shakes answered while one host holds its connections")
                .isGreaterThanOrEqualTo(0.95);
        assertThat(guard.refusedPerAddress.sum())
                .as("one host gets its 100 connections, no more")
                .isGreaterThanOrEqualTo(800);

        for (int h = 1; h <= 20; h++) {
            openIdle("127.0.1." + h, 40);
        }
        assertThat(guard.openConnections()).isLessThanOrEqualTo(600);
        assertThat(legitimateRound(60, "b"))
                .as("legitimate shakes answered while 20 hosts hold the edge's total")
                .isGreaterThanOrEqualTo(0.9);

        // Silent connections are closed on their own (first-byte timeout): the attack needs to keep reconnecting.
        await("connections left after the first-byte timeout at most 10")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> guard.openConnections() <= 10);
        assertThat(guard.closedFirstByte.sum() + guard.evictedIdle.sum()).isGreaterThan(500);
        assertThat(legitimateRound(20, "c")).as("after the flood").isEqualTo(1.0);
    }

    @Test
    void slowSendersAreClosedWhenTheirRequestDoesNotCompleteInTime() throws Exception {
        ConnectionGuard guard = edge.server().guard();
        List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Socket s = new Socket("127.0.0.1", edge.server().port());
            slow.add(s);
            attack.add(s);
        }
        String partial = "POST /shake HTTP/1.1\r\nHost: edge\r\nX-Slow: ";
        AtomicInteger step = new AtomicInteger();
        // Each poll trickles one more byte on every connection: slow, but never silent.
        await("slow senders closed after the request timeout")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    char next = partial.charAt(step.getAndIncrement() % partial.length());
                    for (Socket s : slow) {
                        try {
                            s.getOutputStream().write(next);
                            s.getOutputStream().flush();
                        } catch (IOException e) {
                            // closed by the edge: what the test waits for
                        }
                    }
                    return guard.closedSlowRequest.sum() >= 50;
                });
        assertThat(guard.closedSlowRequest.sum()).isEqualTo(50);
        assertThat(legitimateRound(10, "d")).isEqualTo(1.0);
    }
}
