package io.redpacket.edge;

import io.redpacket.avro.LiveMetric;
import io.redpacket.edge.control.AdminService;
import io.redpacket.edge.dispense.Campaign;
import io.redpacket.edge.dispense.Dispenser;
import io.redpacket.edge.dispense.ShardTable;
import io.redpacket.edge.dispense.SlotSchedule;
import io.redpacket.edge.guard.EdgeLimits;
import io.redpacket.edge.http.EdgeServer;
import io.redpacket.edge.kafka.ControlFeed;
import io.redpacket.edge.kafka.KafkaOpenSink;
import io.redpacket.edge.metrics.EdgeLiveMetrics;
import io.redpacket.edge.metrics.EdgeMetrics;
import io.redpacket.io.CampaignLayout;
import io.redpacket.io.Topics;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import io.redpacket.net.TrustedProxies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles one edge from a generated variant directory: loads the campaign, the keys its roles need (the
 * shake role reads token-ring.p12, the token key only; the open role reads open-ring.p12, the ticket keys), the
 * session keys, the dispenser, the Kafka sink, then applies every switch of the control topic before it serves,
 * and follows the topic while it runs. Wiring only: the rules live in {@link EdgeService} and its packages.
 */
public final class Edge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Edge.class);

    /**
     * Everything an edge is told; build with {@link #builder}.
     *
     * @param sessionRing     key store with the session keys (verification by key id)
     * @param kafkaBootstrap  null for a shake-only edge without Kafka (no control topic either: admin port only)
     * @param controlTopic    the operators' switches (needs Kafka); null for none
     * @param metricsTopic    where the edge publishes its LiveMetric records every second (needs Kafka); null for none
     * @param adminToken      null for no admin port
     */
    public record Config(
            Path variantDir,
            EdgeSettings settings,
            EdgeLimits limits,
            ShardTable shards,
            Path stateDir,
            char[] keyStorePassword,
            Path sessionRing,
            String kafkaBootstrap,
            String topic,
            String controlTopic,
            String metricsTopic,
            Duration deliveryTimeout,
            boolean verifyChecksums,
            String host,
            int port,
            String adminHost,
            int adminPort,
            String adminToken,
            int ioThreads,
            TrustedProxies trustedProxies) {
        public static Builder builder(
                Path variantDir,
                EdgeSettings settings,
                ShardTable shards,
                Path stateDir,
                char[] password,
                Path sessionRing) {
            return new Builder(variantDir, settings, shards, stateDir, password, sessionRing);
        }
    }

    /** Defaults: loopback, any free port, no admin port, no Kafka, default limits, no trusted proxy. */
    public static final class Builder {
        private final Path variantDir;
        private final EdgeSettings settings;
        private final ShardTable shards;
        private final Path stateDir;
        private final char[] password;
        private final Path sessionRing;
        private EdgeLimits limits = EdgeLimits.defaults();
        private String kafka;
        private String topic = Topics.OPENS;
        private String controlTopic;
        private String metricsTopic;
        private Duration deliveryTimeout = Duration.ofSeconds(30);
        private boolean verifyChecksums = true;
        private String host = "127.0.0.1";
        private int port;
        private String adminHost = "127.0.0.1";
        private int adminPort;
        private String adminToken;
        private int ioThreads;
        private TrustedProxies proxies = TrustedProxies.none();

        private Builder(
                Path variantDir,
                EdgeSettings settings,
                ShardTable shards,
                Path stateDir,
                char[] password,
                Path sessionRing) {
            this.variantDir = variantDir;
            this.settings = settings;
            this.shards = shards;
            this.stateDir = stateDir;
            this.password = password;
            this.sessionRing = sessionRing;
        }

        public Builder limits(EdgeLimits l) {
            this.limits = l;
            return this;
        }
        /** Kafka for the opens topic, and optionally the control and metrics topics (null for none). */
        public Builder kafka(String bootstrap, String opensTopic, String control, String metrics) {
            this.kafka = bootstrap;
            this.topic = opensTopic;
            this.controlTopic = control;
            this.metricsTopic = metrics;
            return this;
        }

        public Builder deliveryTimeout(Duration d) {
            this.deliveryTimeout = d;
            return this;
        }

        public Builder verifyChecksums(boolean v) {
            this.verifyChecksums = v;
            return this;
        }

        public Builder listen(String h, int p) {
            this.host = h;
            this.port = p;
            return this;
        }

        public Builder admin(String h, int p, String token) {
            this.adminHost = h;
            this.adminPort = p;
            this.adminToken = token;
            return this;
        }

        public Builder ioThreads(int n) {
            this.ioThreads = n;
            return this;
        }

        public Builder trustedProxies(TrustedProxies p) {
            this.proxies = p;
            return this;
        }

        public Config build() {
            return new Config(
                    variantDir,
                    settings,
                    limits,
                    shards,
                    stateDir,
                    password,
                    Objects.requireNonNull(sessionRing, "sessionRing"),
                    kafka,
                    topic,
                    controlTopic,
                    metricsTopic,
                    deliveryTimeout,
                    verifyChecksums,
                    host,
                    port,
                    adminHost,
                    adminPort,
                    adminToken,
                    ioThreads,
                    proxies);
        }
    }

    private final Config config;
    private final EdgeService service;
    private final AdminService admin;
    private final ScheduledExecutorService ticker;
    private final ControlFeed control;
    private final KafkaOpenSink sink;
    private EdgeServer server;

    private Edge(
            Config config,
            EdgeService service,
            AdminService admin,
            ScheduledExecutorService ticker,
            ControlFeed control,
            KafkaOpenSink sink) {
        this.config = config;
        this.service = service;
        this.admin = admin;
        this.ticker = ticker;
        this.control = control;
        this.sink = sink;
    }

    public static Edge assemble(Config c, EdgeClock clock) throws IOException {
        EdgeSettings s = c.settings();
        Campaign campaign = Campaign.load(c.variantDir());
        Path ringFile =
                s.openRole() ? CampaignLayout.openRing(c.variantDir()) : CampaignLayout.tokenRing(c.variantDir());
        KeyRing ring = KeyRingStore.load(ringFile, c.keyStorePassword());
        KeyRing sessions = KeyRingStore.load(c.sessionRing(), c.keyStorePassword());
        if (sessions.signingSessionKeyId() == 0) {
            throw new IOException(c.sessionRing() + ": holds no session key (bin/redpacket keys session create)");
        }
        LOG.info(
                "edge {}: roles shake={} open={}, keys {} from {}, session keys {} from {}",
                s.edgeId(),
                s.shakeRole(),
                s.openRole(),
                ring,
                ringFile,
                java.util.Arrays.toString(sessions.sessionKeyIds()),
                c.sessionRing());
        Files.createDirectories(c.stateDir());
        EdgeMetrics metrics = new EdgeMetrics();
        SlotSchedule schedule = SlotSchedule.of(campaign.plan());
        Dispenser dispenser = new Dispenser(
                campaign,
                schedule,
                c.shards(),
                s.edgeId(),
                c.stateDir(),
                s.reservationBlock(),
                c.verifyChecksums(),
                metrics);
        KafkaOpenSink sink = null;
        if (c.kafkaBootstrap() != null && (s.openRole() || c.metricsTopic() != null)) {
            sink = new KafkaOpenSink(
                    c.kafkaBootstrap(), c.topic(), s.edgeId(), c.deliveryTimeout(), metrics, s.maxInFlightOpens() + 1);
            try {
                if (s.openRole()) {
                    sink.warmUp(Duration.ofSeconds(30));
                }
            } catch (RuntimeException e) {
                sink.close();
                throw e;
            }
        }
        EdgeService service = new EdgeService(
                s,
                c.limits(),
                campaign,
                dispenser,
                ring,
                sessions.sessionOnly(),
                new KeyBlacklist(),
                s.openRole() ? sink : null,
                metrics,
                clock);
        ControlFeed control = null;
        if (c.kafkaBootstrap() != null && c.controlTopic() != null) {
            control = new ControlFeed(c.kafkaBootstrap(), c.controlTopic(), service);
            try {
                // Every switch the edge missed, in order, before it answers a single shake.
                control.catchUp(Duration.ofSeconds(60));
            } catch (RuntimeException e) {
                control.close();
                service.close();
                throw e;
            }
            control.follow();
        }
        AdminService admin = c.adminToken() == null ? null : new AdminService(service, c.adminToken());
        ScheduledExecutorService ticker = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "edge-" + s.edgeId() + "-ticker");
            t.setDaemon(true);
            return t;
        });
        // Opens the current and next slot's files off the event loops, so a slot switch costs no file work there.
        ticker.scheduleWithFixedDelay(
                () -> {
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
                },
                0,
                1,
                TimeUnit.SECONDS);
        Edge edge = new Edge(c, service, admin, ticker, control, sink);
        if (sink != null && c.metricsTopic() != null) {
            // Not on the time-axis thread: a tick can spend seconds checking a file's sha256.
            AtomicLong lastWarnMs = new AtomicLong();
            KafkaOpenSink out = sink;
            ticker.scheduleAtFixedRate(() -> edge.publishLiveMetrics(out, lastWarnMs), 1, 1, TimeUnit.SECONDS);
        }
        return edge;
    }

    /** One round of live metrics. Failures (no metrics topic, broker away) are warned about at most once a minute. */
    private void publishLiveMetrics(KafkaOpenSink out, AtomicLong lastWarnMs) {
        int id = service.settings().edgeId();
        long now = System.currentTimeMillis();
        String problem;
        try {
            List<byte[]> values = new ArrayList<>();
            int connections = server == null ? 0 : server.guard().openConnections();
            for (LiveMetric m : EdgeLiveMetrics.snapshot(service, connections, now)) {
                values.add(m.toByteBuffer().array());
            }
            long failuresBefore = out.liveFailures();
            boolean sent = out.publishLive(config.metricsTopic(), EdgeLiveMetrics.source(id), values);
            problem = !sent
                    ? "the previous second's records are not acknowledged yet"
                    : out.liveFailures() > failuresBefore ? out.liveFailures() + " records refused so far" : null;
        } catch (IOException | RuntimeException e) {
            problem = e.toString();
        }
        if (problem != null && now - lastWarnMs.get() >= 60_000) {
            lastWarnMs.set(now);
            LOG.warn("edge {}: live metrics to {} not flowing: {}", id, config.metricsTopic(), problem);
        }
    }

    public Edge serve() throws InterruptedException {
        server = EdgeServer.start(
                service,
                config.limits(),
                config.trustedProxies(),
                config.host(),
                config.port(),
                admin,
                config.adminHost(),
                config.adminPort(),
                config.ioThreads());
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
        if (sink != null && config.metricsTopic() != null) {
            // One last round after the last request, so readers that total the edges' counters from the metrics topic
            // (the campaign's summary) see every shake and dispense.
            try {
                sink.awaitLiveAcknowledged(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            publishLiveMetrics(sink, new AtomicLong());
        }
        if (control != null) {
            control.close();
        }
        service.close();
        if (sink != null && !service.settings().openRole()) {
            sink.close();
        }
    }
}
