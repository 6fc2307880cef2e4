package io.redpacket.edge;

import io.redpacket.io.CampaignLayout;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles one edge from a generated variant directory: loads the campaign, the keys its roles need (the
 * shake role reads token-ring.p12, the token key only; the open role reads open-ring.p12, the ticket keys),
 * the dispenser, the Kafka sink, the admin switches; then serves. Wiring only: the rules live in
 * {@link EdgeService}, {@link Dispenser} and friends.
 */
public final class Edge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Edge.class);

    /**
     * @param stateDir        cursors and saved switches of this edge (must survive restarts)
     * @param kafkaBootstrap  null for a shake-only edge
     * @param adminToken      null for no admin port
     */
    public record Config(Path variantDir, EdgeSettings settings, ShardTable shards, Path stateDir, char[] keyStorePassword,
                         String kafkaBootstrap, String topic, Duration deliveryTimeout, boolean verifyChecksums,
                         String host, int port, String adminHost, int adminPort, String adminToken, int ioThreads, boolean trustForwardedFor) {}

    private final EdgeService service;
    private final AdminService admin;
    private final ScheduledExecutorService ticker;
    private EdgeServer server;

    private Edge(EdgeService service, AdminService admin, ScheduledExecutorService ticker) {
        this.service = service;
        this.admin = admin;
        this.ticker = ticker;
    }

    /** Builds the edge (files checked lazily per slot); does not bind ports yet. */
    public static Edge assemble(Config c, EdgeClock clock) throws IOException {
        EdgeSettings s = c.settings();
        Campaign campaign = Campaign.load(c.variantDir());
        Path ringFile = s.openRole() ? CampaignLayout.openRing(c.variantDir()) : CampaignLayout.tokenRing(c.variantDir());
        KeyRing ring = KeyRingStore.load(ringFile, c.keyStorePassword());
        LOG.info("edge {}: roles shake={} open={}, keys {} from {}", s.edgeId(), s.shakeRole(), s.openRole(), ring, ringFile);
        Files.createDirectories(c.stateDir());
        EdgeMetrics metrics = new EdgeMetrics();
        SlotSchedule schedule = SlotSchedule.of(campaign.plan());
        Dispenser dispenser = new Dispenser(campaign, schedule, c.shards(), s.edgeId(), c.stateDir(), s.reservationBlock(),
                c.verifyChecksums(), metrics);
        KafkaOpenSink sink = null;
        if (s.openRole()) {
            sink = new KafkaOpenSink(c.kafkaBootstrap(), c.topic(), s.edgeId(), c.deliveryTimeout(), metrics, s.maxInFlightOpens() + 1);
            try {
                sink.warmUp(Duration.ofSeconds(30));
            } catch (RuntimeException e) {
                sink.close();
                throw e;
            }
        }
        EdgeService service = new EdgeService(s, campaign, dispenser, ring, new KeyBlacklist(), sink, metrics, clock);
        AdminService admin = c.adminToken() == null ? null : new AdminService(service, c.adminToken(), c.stateDir());
        if (admin != null) {
            admin.restore();
        }
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "edge-" + s.edgeId() + "-time-axis");
            t.setDaemon(true);
            return t;
        });
        // Opens the current and next slot's files off the event loops, so a slot switch costs no file work there.
        ticker.scheduleWithFixedDelay(() -> {
            try {
                long now = clock.nowMs();
                int current = schedule.slotAt(now);
                if (current >= 0) {
                    dispenser.prepare(current);
                }
                dispenser.prepare(schedule.nextSlotIndex(now));
            } catch (RuntimeException e) {
                LOG.error("edge {}: time axis tick failed", s.edgeId(), e);
            }
        }, 0, 1, TimeUnit.SECONDS);
        return new Edge(service, admin, ticker);
    }

    public Edge serve(Config c) throws InterruptedException {
        server = EdgeServer.start(service, c.host(), c.port(), admin, c.adminHost(), c.adminPort(), c.ioThreads(), c.trustForwardedFor());
        return this;
    }

    public EdgeService service() {
        return service;
    }

    public AdminService admin() {
        return admin;
    }

    public EdgeServer server() {
        return server;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        if (server != null) {
            server.close();
        }
        service.close();
    }
}
