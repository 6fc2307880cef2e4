package io.redpacket.edge;

import io.redpacket.avro.LiveMetric;
import io.redpacket.io.CampaignLayout;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
     * @param metricsTopic    where the edge publishes its LiveMetric records every second (needs Kafka); null for none
     */
    public record Config(Path variantDir, EdgeSettings settings, ShardTable shards, Path stateDir, char[] keyStorePassword,
                         String kafkaBootstrap, String topic, Duration deliveryTimeout, boolean verifyChecksums,
                         String host, int port, String adminHost, int adminPort, String adminToken, int ioThreads, boolean trustForwardedFor,
                         String metricsTopic) {
        /** Without live metrics on the metrics topic (tests, benchmarks). */
        public Config(Path variantDir, EdgeSettings settings, ShardTable shards, Path stateDir, char[] keyStorePassword,
                      String kafkaBootstrap, String topic, Duration deliveryTimeout, boolean verifyChecksums,
                      String host, int port, String adminHost, int adminPort, String adminToken, int ioThreads, boolean trustForwardedFor) {
            this(variantDir, settings, shards, stateDir, keyStorePassword, kafkaBootstrap, topic, deliveryTimeout, verifyChecksums,
                    host, port, adminHost, adminPort, adminToken, ioThreads, trustForwardedFor, null);
        }
    }

    private final EdgeService service;
    private final AdminService admin;
    private final ScheduledExecutorService ticker;
    private final ScheduledExecutorService liveMetrics;
    private EdgeServer server;

    private Edge(EdgeService service, AdminService admin, ScheduledExecutorService ticker, ScheduledExecutorService liveMetrics) {
        this.service = service;
        this.admin = admin;
        this.ticker = ticker;
        this.liveMetrics = liveMetrics;
    }

    /** One round of live metrics. Failures (no metrics topic, broker away) are warned about at most once a minute. */
    private static void publishLiveMetrics(EdgeService service, KafkaOpenSink sink, String topic, AtomicLong lastWarnMs) {
        int id = service.settings().edgeId();
        long now = System.currentTimeMillis();
        String problem;
        try {
            List<byte[]> values = new ArrayList<>();
            for (LiveMetric m : EdgeLiveMetrics.snapshot(service, now)) {
                values.add(m.toByteBuffer().array());
            }
            long failuresBefore = sink.liveFailures();
            boolean sent = sink.publishLive(topic, EdgeLiveMetrics.source(id), values);
            problem = !sent ? "the previous second's records are not acknowledged yet"
                    : sink.liveFailures() > failuresBefore ? sink.liveFailures() + " records refused so far" : null;
        } catch (IOException | RuntimeException e) {
            problem = e.toString();
        }
        if (problem != null && now - lastWarnMs.get() >= 60_000) {
            lastWarnMs.set(now);
            LOG.warn("edge {}: live metrics to {} not flowing: {}", id, topic, problem);
        }
    }

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
        if (sink != null && c.metricsTopic() != null) {
            // Its own thread: the time-axis tick can spend seconds checking a file's sha256.
            ScheduledExecutorService live = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "edge-" + s.edgeId() + "-live-metrics");
                t.setDaemon(true);
                return t;
            });
            KafkaOpenSink out = sink;
            AtomicLong lastWarnMs = new AtomicLong();
            live.scheduleAtFixedRate(() -> publishLiveMetrics(service, out, c.metricsTopic(), lastWarnMs), 1, 1, TimeUnit.SECONDS);
            return new Edge(service, admin, ticker, live);
        }
        return new Edge(service, admin, ticker, null);
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
        if (liveMetrics != null) {
            liveMetrics.shutdownNow();
        }
        if (server != null) {
            server.close();
        }
        service.close();
    }
}
