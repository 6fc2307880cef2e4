package io.redpacket.edge.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.redpacket.edge.Edge;
import io.redpacket.edge.EdgeSettings;
import io.redpacket.edge.dispense.ShardTable;
import io.redpacket.testkit.GeneratedCampaign;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defect 3, on loopback with real sockets, bounded in time (8 s of flood) and count: an attacker pipelines shakes as
 * fast as it can from one address (with a valid session of its own, and with none), while 40 legitimate users shake
 * at the server's pace from their own addresses. The attacker is answered 429 (with Retry-After) and its connections
 * stop being read; legitimate users keep being served; after the flood the edge is back to normal on its own.
 */
@Timeout(180)
class ShakeFloodTest {
    @TempDir
    Path tmp;

    @Test
    void aShakeFloodIsAnswered429AndLegitimateUsersKeepTheirShakes() throws Exception {
        GeneratedCampaign campaign = GeneratedCampaign.builder()
                .sponsors(4)
                .perAllocation(20_000)
                .sessionRing()
                .build(tmp.resolve("v"));
        EdgeLimits limits = EdgeLimits.defaults().withAddressRate(50, 100);
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
        // Rate limits refill on the edge's clock: here one ticking in real time, inside the campaign's slot.
        long offset = GeneratedCampaign.T0 + 1000 - System.currentTimeMillis();
        try (Edge edge =
                Edge.assemble(c, () -> System.currentTimeMillis() + offset).serve()) {
            int port = edge.server().port();
            AtomicBoolean flooding = new AtomicBoolean(true);
            AtomicLong attackAnswers = new AtomicLong();
            AtomicLong attack429 = new AtomicLong();
            List<Thread> attackers = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                boolean withSession = t % 2 == 0;
                Thread a = new Thread(
                        () -> flood(port, campaign, withSession, flooding, attackAnswers, attack429), "attacker-" + t);
                a.setDaemon(true);
                a.start();
                attackers.add(a);
            }
            // Legitimate users: a keep-alive connection each from its own address, one shake every ~500 ms for 8 s.
            AtomicLong ok = new AtomicLong();
            java.util.concurrent.ConcurrentHashMap<String, Integer> statuses =
                    new java.util.concurrent.ConcurrentHashMap<>();
            AtomicLong tried = new AtomicLong();
            List<Thread> users = new ArrayList<>();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
            for (int u = 0; u < 40; u++) {
                String user = "legit-" + u;
                String source = "127.0.0." + (10 + u);
                Thread t = new Thread(
                        () -> {
                            RawHttp conn = null;
                            while (System.nanoTime() < until) {
                                tried.incrementAndGet();
                                try {
                                    if (conn == null) {
                                        conn = new RawHttp(source, port, 5_000);
                                    }
                                    RawHttp.Answer a = conn.call(
                                            RawHttp.shakeRequest(campaign.auth(user), GeneratedCampaign.device(user)));
                                    ok.addAndGet(a.status() == 200 ? 1 : 0);
                                    statuses.merge(
                                            a.status() + (a.status() == 200 ? "" : " " + a.body()), 1, Integer::sum);
                                } catch (IOException e) {
                                    statuses.merge(e.toString(), 1, Integer::sum);
                                    if (conn != null) {
                                        conn.close();
                                    }
                                    conn = null;
                                }
                                sleep(400 + (long) (Math.random() * 200));
                            }
                            if (conn != null) {
                                conn.close();
                            }
                        },
                        "user-" + u);
                t.start();
                users.add(t);
            }
            for (Thread t : users) {
                t.join();
            }
            flooding.set(false);
            for (Thread a : attackers) {
                a.join(20_000);
            }
            double share = ok.get() / (double) tried.get();
            assertThat(tried.get()).isGreaterThan(200);
            assertThat(share)
                    .as(
                            "legitimate shakes answered 200 during the flood (%d of %d): %s",
                            ok.get(), tried.get(), statuses)
                    .isGreaterThanOrEqualTo(0.9);
            assertThat(attack429.get())
                    .as("the flood was told to slow down (%d answers, legit %s)", attackAnswers.get(), ATTACK_OUTCOMES)
                    .isGreaterThan(0);
            assertThat(edge.service().metrics().rateLimitedAddress.sum()).isGreaterThan(0);
            assertThat(edge.service().metrics().unauthenticatedTotal())
                    .as("the session-less half never got past authentication")
                    .isGreaterThan(0);

            // Recovery: the attacker's address is served again once it behaves, and nothing is being shed.
            await("the attacker's address served again (200) and nothing shed")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> shakeStatus(campaign, port, "127.0.0.2", "attacker-reformed") == 200
                            && edge.service().shedder().shedPermille() == 0);
        }
    }

    /** Pipelines shakes in batches of 64 on one connection from 127.0.0.2, reading the answers back, until told to stop. */
    private static void flood(
            int port,
            GeneratedCampaign campaign,
            boolean withSession,
            AtomicBoolean flooding,
            AtomicLong answers,
            AtomicLong limited) {
        String request = RawHttp.shakeRequest(
                withSession ? campaign.auth("attacker") : "Session AAAA", GeneratedCampaign.device("attacker"));
        String batch = request.repeat(64);
        while (flooding.get()) {
            try (RawHttp conn = new RawHttp("127.0.0.2", port, 3_000)) {
                while (flooding.get()) {
                    conn.send(batch);
                    for (int i = 0; i < 64; i++) {
                        RawHttp.Answer a = conn.read();
                        answers.incrementAndGet();
                        ATTACK_OUTCOMES.merge("status " + a.status(), 1, Integer::sum);
                        if (a.status() == 429) {
                            limited.incrementAndGet();
                        }
                    }
                }
            } catch (IOException e) {
                // Closed by the edge (too many 429s in a row) or timed out while paused: reconnect, as a flooder would.
                ATTACK_OUTCOMES.merge(e.toString(), 1, Integer::sum);
            }
        }
    }

    static final java.util.concurrent.ConcurrentHashMap<String, Integer> ATTACK_OUTCOMES =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** The status of one shake of {@code user} from {@code address}; 0 when the connection fails. */
    private static int shakeStatus(GeneratedCampaign campaign, int port, String address, String user) {
        try (RawHttp conn = new RawHttp(address, port, 5_000)) {
            return conn.call(RawHttp.shakeRequest(campaign.auth(user), GeneratedCampaign.device(user)))
                    .status();
        } catch (IOException e) {
            return 0;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
