package io.redpacket.campaign;

import io.redpacket.avro.ControlAction;
import io.redpacket.avro.ControlCommand;
import io.redpacket.avro.FileManifest;
import io.redpacket.avro.FundingPlan;
import io.redpacket.avro.ReconciliationSummary;
import io.redpacket.avro.Slot;
import io.redpacket.cli.BadInputException;
import io.redpacket.io.AvroFiles;
import io.redpacket.io.CampaignLayout;
import io.redpacket.io.Topics;
import io.redpacket.kafka.LocalKafkaBroker;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import io.redpacket.simulation.gateway.EdgeGateway;
import io.redpacket.simulation.insider.Insider;
import io.redpacket.simulation.truth.InsiderTruth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Runs one campaign end to end, every component real and in its own process: keys, generation (local Spark),
 * a KRaft broker, settlement (Flink mini cluster), edges, a crowd with fraudsters and an insider, the
 * operators' mid-campaign blacklist, reconciliation (local Spark), and the finance summary. Stops everything
 * it started, on success, failure or Ctrl-C. Where generation, settlement and reconciliation run is
 * {@link CampaignStages}: on this machine, or with {@code --cluster} on Spark and Flink clusters with the data on HDFS.
 */
final class CampaignRunner implements AutoCloseable {
    private final CampaignSettings s;
    private final Progress out;
    private final Path logs;
    private final Map<String, String> env;
    private final List<ChildProcess> children = new ArrayList<>();
    private final List<EdgeClient> edges = new ArrayList<>();
    private final CampaignStages stages;
    private LocalKafkaBroker broker;
    private CampaignStages.Settlement settlement;
    private TopicTally tally;
    private Path variantDir;
    private Path passwordFile;
    private String adminToken;

    CampaignRunner(CampaignSettings settings, Progress progress) {
        this.s = settings;
        this.out = progress;
        this.logs = settings.workDir().resolve("logs");
        this.env = Map.of("SPARK_LOCAL_IP", "127.0.0.1", "JAVA_OPTS", "-Xmx1g -XX:+UseSerialGC -Dlog4j2.configurationFile=" + logs.resolve("log4j2.xml").toUri());
        this.stages = settings.cluster() ? new ClusterStages(settings, progress, logs) : new LocalStages(settings, progress, logs, env);
    }

    CampaignSummary run() throws Exception {
        List<String> problems = Ports.problems(s.ports());
        if (!problems.isEmpty()) {
            throw new BadInputException(problems);
        }
        Files.createDirectories(logs);
        try (var in = CampaignRunner.class.getResourceAsStream("/campaign-log4j2.xml")) {
            Files.copy(in, logs.resolve("log4j2.xml"));
        }
        out.stage("work directory " + s.workDir());

        buildStages();
        stages.start();
        prepareSecrets();
        generate();
        startKafka();
        tally = new TopicTally(broker.bootstrapServers());
        startDashboard();
        startSettlement(null);
        startEdges();
        startIdentity();
        CrowdRun crowd = startCrowd();
        awaitDashboard();
        awaitRegistered(crowd);
        CampaignClock clock = alignTimeAxis();
        crowd.release();
        runCrowd(clock, crowd);
        drain();
        stopOnline();
        ReconciliationSummary reconciled = stages.reconcile();
        CampaignSummary summary = CampaignSummary.build(s, variantDir, reconciled, tally.snapshot(), crowd.truth(), insiderTruth, tally);
        List<String> extra = new ArrayList<>(operatorLines);
        extra.addAll(drillReport);
        extra.addAll(settlementReport);
        extra.addAll(stages.outputLines());
        return summary.with(extra);
    }

    /** Builds each stage's module once, one after the other, so no two start-ups race to build the same one. */
    private void buildStages() throws IOException {
        List<String> stages = new ArrayList<>(List.of("generate", "edge", "settle", "reconcile"));
        if (s.dashboard()) {
            stages.add("dashboard");
        }
        for (String cmd : stages) {
            ChildProcess p = start(ChildProcess.redpacket(s.home(), "build-" + cmd, logs.resolve("build.log"), env, cmd, "--help"));
            int code = p.await(30, TimeUnit.MINUTES);
            if (code != 0) {
                throw new IOException("building the '" + cmd + "' stage failed; see " + p.log() + ":\n" + p.tail(30));
            }
        }
        out.stage("stages built (generation, edge, settlement, reconciliation" + (s.dashboard() ? ", dashboard)" : ")"));
    }

    // ---- secrets and keys -------------------------------------------------------------------------------

    private void prepareSecrets() throws IOException {
        Path secrets = s.workDir().resolve("secrets");
        Files.createDirectories(secrets);
        SecureRandom random = new SecureRandom();
        passwordFile = writeSecret(secrets.resolve("keystore-password"), randomHex(random, 24));
        adminToken = randomHex(random, 24);
        writeSecret(secrets.resolve("admin-token"), adminToken);
        if (s.dashboard()) {
            // The operators' dashboard token names its operator: what the audit log and the control commands record.
            writeSecret(secrets.resolve("operator-token"), "campaign-operator:" + randomHex(random, 24));
        }
        Path ring = s.workDir().resolve("keys/ring.p12");
        int keys = 64;
        char[] password = Files.readString(passwordFile).trim().toCharArray();
        KeyRingStore.save(KeyRing.generate(keys, random), ring, password);
        // The identity service's own key, separate from the campaign's: it signs logins, the edges verify sessions with it.
        KeyRingStore.save(KeyRing.generateSessionRing(random), sessionRing(), password);
        out.stage("keys: sealing ring of " + keys + " ticket keys + token key in " + s.workDir().relativize(ring) + ", session key in "
                + s.workDir().relativize(sessionRing()) + " (password in secrets/, never on a command line)");
    }

    private Path sessionRing() {
        return s.workDir().resolve("keys/session-ring.p12");
    }

    private static Path writeSecret(Path file, String value) throws IOException {
        Files.writeString(file, value + "\n");
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // Not a POSIX file system: nothing more to do.
        }
        return file;
    }

    private static String randomHex(SecureRandom random, int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    // ---- generation ---------------------------------------------------------------------------------------

    private int slots;

    private void generate() throws IOException {
        Path script = s.workDir().resolve("inputs/script.yaml");
        slots = CampaignScript.compress(s.script(), script, s.slotSeconds());
        Files.copy(s.budget(), s.workDir().resolve("inputs/budget.csv"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        variantDir = stages.generate(new CampaignStages.Inputs(s.workDir().resolve("inputs/budget.csv"), script, slots,
                s.workDir().resolve("keys/ring.p12"), passwordFile));
        List<FileManifest> manifests = AvroFiles.readAll(variantDir.resolve(CampaignLayout.MANIFESTS), FileManifest.class);
        long envelopes = manifests.stream().mapToLong(FileManifest::getRecordCount).sum();
        long fen = manifests.stream().mapToLong(FileManifest::getAmountFen).sum();
        out.stage(String.format("generated %,d envelopes worth %s in %d files", envelopes, Progress.yuan(fen), manifests.size()));
    }

    // ---- Kafka ----------------------------------------------------------------------------------------------

    private void startKafka() throws IOException {
        out.stage("Kafka: single-node KRaft broker on 127.0.0.1:" + s.kafkaPort() + " (child JVM, data in kafka/)");
        broker = LocalKafkaBroker.start(s.workDir().resolve("kafka"), s.kafkaPort(), s.kafkaControllerPort());
        broker.createTopic(Topics.OPENS, 4);
        broker.createTopic(Topics.CREDITS, 4);
        broker.createTopic(Topics.REJECTS, 2);
        broker.createTopic(Topics.METRICS, 1);
        broker.createTopic(Topics.FLAGS, 1);
        // Edges rebuild every switch from the first command at each start: the control topic keeps them all.
        broker.createTopic(Topics.CONTROL, 1, Map.of("retention.ms", "-1", "retention.bytes", "-1"));
    }

    // ---- the live dashboard -----------------------------------------------------------------------------------

    private ChildProcess dashboard;

    /** Starts the dashboard (reads the metrics topic; its switches go to the control topic, which every edge reads). */
    private void startDashboard() throws IOException {
        if (!s.dashboard()) {
            return;
        }
        List<String> args = new ArrayList<>(List.of("dashboard", "--kafka", broker.bootstrapServers(), "--campaign", variantDir.toString(),
                "--host", "127.0.0.1", "--port", String.valueOf(s.dashboardPort()),
                "--operator-token-file", s.workDir().resolve("secrets/operator-token").toString(),
                "--audit-log", s.workDir().resolve("dashboard/audit.log").toString()));
        dashboard = start(ChildProcess.redpacket(s.home(), "dashboard", logs.resolve("dashboard.log"), env, args.toArray(String[]::new)));
    }

    private void awaitDashboard() throws IOException, InterruptedException {
        if (dashboard == null) {
            return;
        }
        String url = "http://127.0.0.1:" + s.dashboardPort() + "/";
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            if (!dashboard.isAlive()) {
                throw new IOException("dashboard exited during start-up; " + dashboard.log() + ":\n" + dashboard.tail(40));
            }
            try {
                var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "health"))
                        .timeout(java.time.Duration.ofSeconds(2)).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    break;
                }
            } catch (IOException notYet) {
                // Still starting.
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("dashboard not answering on " + url + " after 120 s; see " + dashboard.log());
            }
            Thread.sleep(300);
        }
        out.stage("dashboard: " + url + " (operator token in " + s.workDir().relativize(s.workDir().resolve("secrets/operator-token"))
                + ", audit log " + s.workDir().relativize(s.workDir().resolve("dashboard/audit.log")) + ")");
    }

    // ---- settlement -----------------------------------------------------------------------------------------

    private void startSettlement(String fromCheckpoint) throws IOException, InterruptedException {
        settlement = stages.startSettlement(broker.bootstrapServers(), fromCheckpoint);
        awaitSettlementRunning(600);
    }

    /**
     * Running = answering: a canary open with a malformed token goes in, and its committed reject coming out proves
     * source, verification, the transactional sink and checkpoints all work. Canaries stay in the logs as
     * ordinary rejected opens (MALFORMED_TOKEN).
     */
    private void awaitSettlementRunning(int seconds) throws IOException, InterruptedException {
        long before = tally.canariesAnswered();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long nextCanary = 0;
        while (System.nanoTime() < deadline) {
            if (!settlement.isAlive()) {
                throw new IOException("settlement exited during start-up; " + settlement.diagnostics());
            }
            if (tally.canariesAnswered() > before) {
                return;
            }
            if (System.nanoTime() > nextCanary) {
                sendCanary();
                nextCanary = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            }
            Thread.sleep(500);
        }
        throw new IOException("settlement not answering after " + seconds + " s; " + settlement.diagnostics());
    }

    private int canaries;

    /** Writes one of the campaign's own records (a canary open, an operator command) and waits for the ack; returns its offset. */
    private long publish(String topic, String key, byte[] value) throws IOException {
        if (producer == null) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        }
        try {
            return producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS).offset();
        } catch (Exception e) {
            throw new IOException("cannot write to " + topic + ": " + e, e);
        }
    }

    private KafkaProducer<String, byte[]> producer;

    private void sendCanary() throws IOException {
        long now = System.currentTimeMillis();
        io.redpacket.avro.OpenEvent e = io.redpacket.avro.OpenEvent.newBuilder()
                .setEventId(TopicTally.CANARY_PREFIX + (++canaries)).setToken("canary").setUserId("campaign-canary").setDeviceId("campaign")
                .setIp("127.0.0.1").setClientVersion("campaign").setEdgeId(0).setShakeTimeMs(now).setOpenTimeMs(now).build();
        publish(Topics.OPENS, "0", e.toByteBuffer().array());
    }

    // ---- edges ---------------------------------------------------------------------------------------------

    private void startEdges() throws IOException, InterruptedException {
        Path adminTokenFile = s.workDir().resolve("secrets/admin-token");
        String table = ShardPlan.table(s.shards(), s.edges());
        for (int e = 1; e <= s.edges(); e++) {
            startEdge(e, table, adminTokenFile);
            edges.add(new EdgeClient(e, s.edgePort(e), s.adminPort(e), adminToken));
        }
        for (EdgeClient edge : edges) {
            awaitHealthy(edge, 300);
        }
        out.stage("edges: " + s.edges() + " edges up, shard table " + table + "; " + String.join(", ",
                edges.stream().map(e -> "edge " + e.edgeId + " " + e.publicUrl() + "/metrics").toList()));
    }

    private ChildProcess startEdge(int e, String table, Path adminTokenFile) throws IOException {
        ChildProcess edge = start(ChildProcess.redpacket(s.home(), "edge-" + e, logs.resolve("edge-" + e + ".log"), env,
                "edge", "--campaign", stages.edgeCampaign(e).toString(), "--edge-id", String.valueOf(e), "--shard-table", table,
                "--host", "127.0.0.1", "--port", String.valueOf(s.edgePort(e)), "--admin-port", String.valueOf(s.adminPort(e)),
                "--admin-token-file", adminTokenFile.toString(), "--kafka", broker.bootstrapServers(),
                "--state-dir", s.workDir().resolve("edges/edge-" + e).toString(), "--password-file", passwordFile.toString(),
                "--rate", String.valueOf(s.dispensePerSecond()), "--reservation-block", "1000", "--io-threads", "1",
                "--session-ring", sessionRing().toString(), "--trusted-proxies", "127.0.0.1"));
        edgeProcesses.put(e, edge);
        return edge;
    }

    private final Map<Integer, ChildProcess> edgeProcesses = new java.util.TreeMap<>();

    private void awaitHealthy(EdgeClient edge, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!edge.healthy()) {
            ChildProcess p = edgeProcesses.get(edge.edgeId);
            if (!p.isAlive()) {
                throw new IOException("edge " + edge.edgeId + " exited during start-up; " + p.log() + ":\n" + p.tail(40));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("edge " + edge.edgeId + " not healthy after " + seconds + " s; see " + p.log());
            }
            Thread.sleep(300);
        }
    }

    /** Moves the plan's first slot to a few seconds from now on every edge: the operators' countdown shift, on the control topic. */
    private CampaignClock alignTimeAxis() throws IOException, InterruptedException {
        FundingPlan plan = plan();
        long firstStart = plan.getSlots().get(0).getStartMs();
        long lastEnd = plan.getSlots().get(plan.getSlots().size() - 1).getEndMs();
        long startAt = System.currentTimeMillis() + COUNTDOWN_LEAD_MS;
        long shift = startAt - firstStart;
        long offset = control(ControlCommand.newBuilder().setAction(ControlAction.SHIFT_COUNTDOWN).setValue(shift), "campaign-countdown");
        Map<Integer, Long> took = awaitApplied(offset, 30);
        out.stage(String.format("time axis: first slot starts in 3 s, campaign lasts %d s (countdown shift on the control topic, applied by %s)",
                (lastEnd - firstStart) / 1000, describe(took)));
        return new CampaignClock(startAt, startAt + (lastEnd - firstStart), plan);
    }

    /** The countdown: the first slot starts this long after the time axis is aligned (and the crowd released). */
    static final long COUNTDOWN_LEAD_MS = 3_000;

    private FundingPlan plan;

    private FundingPlan plan() throws IOException {
        if (plan == null) {
            plan = AvroFiles.readAll(variantDir.resolve(CampaignLayout.PLAN), FundingPlan.class).get(0);
        }
        return plan;
    }

    /** From the first slot's start to the last one's end. */
    private long campaignLengthMs() throws IOException {
        List<Slot> slots = plan().getSlots();
        return slots.get(slots.size() - 1).getEndMs() - slots.get(0).getStartMs();
    }

    // ---- the operators' switches: one command on the control topic, acknowledged by every edge ------------------

    private final List<String> operatorLines = new ArrayList<>();

    /** Publishes an operator's switch; returns its offset on the control topic. */
    private long control(ControlCommand.Builder b, String commandId) throws IOException {
        ControlCommand cmd = b.setCommandId(commandId + "-" + System.currentTimeMillis()).setIssuedAtMs(System.currentTimeMillis())
                .setOperator("campaign").build();
        return publish(Topics.CONTROL, cmd.getCommandId(), cmd.toByteBuffer().array());
    }

    /**
     * Waits until every running edge acknowledges the command at {@code offset} (its control offset passes it);
     * returns the ms each took, -1 for an edge that did not within {@code seconds}.
     */
    private Map<Integer, Long> awaitApplied(long offset, int seconds) throws InterruptedException {
        long start = System.currentTimeMillis();
        Map<Integer, Long> took = new java.util.TreeMap<>();
        long deadline = start + seconds * 1000L;
        while (true) {
            for (EdgeClient edge : edges) {
                if (!took.containsKey(edge.edgeId) && edgeProcesses.get(edge.edgeId).isAlive() && edge.controlOffset() > offset) {
                    took.put(edge.edgeId, System.currentTimeMillis() - start);
                }
            }
            boolean all = edges.stream().allMatch(e -> took.containsKey(e.edgeId) || !edgeProcesses.get(e.edgeId).isAlive());
            if (all || System.currentTimeMillis() > deadline) {
                break;
            }
            Thread.sleep(50);
        }
        edges.stream().filter(e -> edgeProcesses.get(e.edgeId).isAlive()).forEach(e -> took.putIfAbsent(e.edgeId, -1L));
        return took;
    }

    private static String describe(Map<Integer, Long> took) {
        return took.isEmpty() ? "no edge running" : String.join(", ", took.entrySet().stream()
                .map(e -> "edge " + e.getKey() + (e.getValue() < 0 ? " NOT within the wait" : " in " + e.getValue() + " ms")).toList());
    }

    // ---- the local identity service ---------------------------------------------------------------------------

    private String identityUrl;

    /** The identity service the crowd registers with and logs in to; it signs sessions with keys/session-ring.p12. */
    private void startIdentity() throws IOException, InterruptedException {
        ChildProcess p = start(ChildProcess.redpacket(s.home(), "identity", logs.resolve("identity.log"), env,
                "identity", "--session-ring", sessionRing().toString(), "--password-file", passwordFile.toString(),
                "--port", String.valueOf(s.identityPort()), "--out", s.workDir().resolve("identity").toString(),
                "--trusted-proxies", "127.0.0.1", "--lifetime-s", "3600"));
        identityUrl = "http://127.0.0.1:" + s.identityPort();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (!new EdgeClient(0, s.identityPort(), 0, adminToken).healthy()) {
            if (!p.isAlive()) {
                throw new IOException("the identity service exited during start-up; " + p.log() + ":\n" + p.tail(40));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the identity service is not answering after 300 s; see " + p.log());
            }
            Thread.sleep(300);
        }
        out.stage("identity service on " + identityUrl + " (accounts register and log in; sessions signed with session key 1, 1 h;"
                + " registrations and logins in identity/)");
    }

    // ---- the crowd, the operators and the insider --------------------------------------------------------------

    private InsiderTruth insiderTruth = InsiderTruth.EMPTY;
    private List<String> drillReport = List.of();
    private final List<String> settlementReport = new ArrayList<>();

    /** Which of the killed edge's files the backup dispensed from: the proof that failover happened. */
    private List<String> drillReport(FaultDrill drill) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("fault drill: settlement killed and restored from its checkpoint; broker restarted; edge 2 killed mid-slot");
        String slot = drill.failoverSlot();
        if (slot == null) {
            lines.add("FAILOVER MISSING: the campaign has no slot after the one edge 2 died in");
            return lines;
        }
        Path cursors = s.workDir().resolve("edges/edge-1/cursors/slot=" + slot);
        List<String> taken = new ArrayList<>();
        String table = ShardPlan.table(s.shards(), s.edges());
        for (String entry : table.split(",")) {
            String[] kv = entry.split(":");
            if (kv[1].startsWith("2/") && Files.exists(cursors.resolve(String.format("shard-%05d.cursor", Integer.parseInt(kv[0]))))) {
                taken.add("shard " + kv[0]);
            }
        }
        lines.add(taken.isEmpty() ? "FAILOVER MISSING: edge 1 never opened edge 2's files of slot " + slot
                : "failover: backup edge 1 dispensed edge 2's " + String.join(", ", taken) + " in slot " + slot);
        return lines;
    }

    private FaultDrill drill;

    /**
     * Starts the crowd before the countdown: it registers every account with the identity service first (preparation,
     * not part of the show), then waits to be released.
     */
    private CrowdRun startCrowd() throws IOException {
        long durationS = (campaignLengthMs() + COUNTDOWN_LEAD_MS) / 1000 + 2;
        CrowdRun crowd = new CrowdRun(s, edges, identityUrl, s.workDir().resolve("crowd"), logs.resolve("crowd.log"), env, durationS);
        gateway = crowd.gateway();
        start(crowd.process());
        out.stage(String.format("crowd: %,d users of scenario %s (%s fraud%s) registering with the identity service before the countdown;"
                + " each logs in on arrival and acts for %d s", s.users(), s.scenario() == null ? "default" : s.scenario(),
                s.fraudShare() == null ? "the scenario's share of" : String.format("%.0f%%", s.fraudShare() * 100),
                s.sessionAttacks() ? ", with stolen and expired sessions" : "", durationS));
        return crowd;
    }

    private void awaitRegistered(CrowdRun crowd) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        long accounts = crowd.awaitRegistered(600);
        out.stage(String.format("crowd: %,d accounts registered (%.1f s, before the countdown)", accounts, (System.nanoTime() - t0) / 1e9));
    }

    private void runCrowd(CampaignClock clock, CrowdRun crowd) throws Exception {

        Insider insider = new Insider(variantDir, passwordFile, broker.bootstrapServers(), s.seed());
        int blacklistedKey = insider.leakedKeyId();
        boolean blacklisted = false;
        boolean insiderEarly = false;
        // With --restart-drill, the last edge is down while the blacklist is pulled and comes back after it: it must
        // apply the switch it missed before it dispenses again. (The first edge stays up.)
        int restarting = !s.restartDrill() || s.faultDrill() || s.edges() < 2 ? 0 : s.edges();
        boolean killed = false;
        drill = s.faultDrill() ? new FaultDrill(clock) : null;
        while (crowd.process().isAlive()) {
            long now = System.currentTimeMillis();
            double done = clock.fraction(now);
            if (!insiderEarly && done > 0.3) {
                insider.attackBeforeBlacklist();
                insiderEarly = true;
            }
            if (restarting > 0 && !killed && done > 0.4) {
                out.stage("operators' drill: edge " + restarting + " killed (SIGKILL); it misses the next switch");
                edgeProcesses.get(restarting).kill();
                killed = true;
            }
            if (!blacklisted && done > 0.5) {
                if (!insiderEarly) {
                    // A fault-drill step can hold this loop past 30 %: the forgeries still come before the blacklist.
                    insider.attackBeforeBlacklist();
                    insiderEarly = true;
                }
                blacklist(blacklistedKey);
                blacklisted = true;
                insider.attackAfterBlacklist();
            }
            if (restarting > 0 && killed && blacklisted && done > 0.55) {
                restartEdge(restarting);
                restarting = 0;
            }
            if (drill != null) {
                drill.step(now, this);
            }
            report(clock);
            Thread.sleep(3_000);
        }
        int code = crowd.process().await(1, TimeUnit.MINUTES);
        if (code != 0) {
            throw new IOException("crowd failed (exit " + code + "); " + crowd.process().log() + ":\n" + crowd.process().tail(30));
        }
        if (!blacklisted) {
            if (!insiderEarly) {
                insider.attackBeforeBlacklist();
            }
            blacklist(blacklistedKey);
            insider.attackAfterBlacklist();
        }
        if (restarting > 0 && killed) {
            restartEdge(restarting);
        }
        long late = gateway.watchedDispensed();
        operatorLines.add(String.format("%-34s %,d", "blacklisted key after the switch", late)
                + " envelopes of key " + blacklistedKey + " dispensed to shakes sent after every edge applied it");
        if (late > 0) {
            operatorLines.add("SWITCH FAILED: " + late + " envelopes of blacklisted key " + blacklistedKey + " dispensed after the switch was applied");
        }
        insider.replayCredited(tally.creditedOpens(Insider.PER_KIND));
        if (drill != null) {
            drillReport = drillReport(drill);
        }
        insiderTruth = insider.truth();
        insiderTruth.write(s.workDir().resolve(InsiderTruth.FILE));
        out.stage("crowd done; insider injected " + insiderTruth.events() + " forged, tampered, replayed and blacklisted-key opens straight into Kafka");
    }

    private EdgeGateway gateway;
    private long blacklistOffset = -1;

    /**
     * The operators learn key K leaked: one command on the control topic; every running edge skips its envelopes at
     * shake and refuses them at open, settlement refuses them. From the moment every running edge acknowledged it,
     * the gateway counts envelopes of K still handed out (the verdict wants none).
     */
    private void blacklist(int keyId) throws IOException, InterruptedException {
        blacklistOffset = control(ControlCommand.newBuilder().setAction(ControlAction.BLACKLIST_KEY).setKeyId(keyId), "campaign-blacklist-" + keyId);
        Map<Integer, Long> took = awaitApplied(blacklistOffset, 30);
        gateway.watchKey(keyId, System.currentTimeMillis());
        out.stage("operators: key " + keyId + " leaked -> blacklisted through the control topic (offset " + blacklistOffset + "), applied by "
                + describe(took) + "; settlement reads the same command");
        operatorLines.add(String.format("%-34s %s", "blacklist switch applied", describe(took)));
        took.forEach((edge, ms) -> {
            if (ms < 0) {
                operatorLines.add("SWITCH FAILED: edge " + edge + " did not apply the blacklist within 30 s");
            }
        });
    }

    /** Starts an edge that was down again; it must have applied every switch it missed before it answers. */
    private void restartEdge(int edgeId) throws IOException, InterruptedException {
        out.stage("operators' drill: restarting edge " + edgeId);
        // Its counters start again from zero; the tally carries what the first run counted (LiveCounters).
        startEdge(edgeId, ShardPlan.table(s.shards(), s.edges()), s.workDir().resolve("secrets/admin-token"));
        EdgeClient edge = edges.stream().filter(e -> e.edgeId == edgeId).findFirst().orElseThrow();
        awaitHealthy(edge, 300);
        long applied = edge.controlOffset();
        boolean ok = applied > blacklistOffset;
        String line = String.format("%-34s edge %d back after missing the blacklist: %d switches of the control topic applied before serving (%s)",
                "restarted edge", edgeId, applied, ok ? "blacklist included" : "BLACKLIST MISSING");
        operatorLines.add(line);
        if (!ok) {
            operatorLines.add("SWITCH FAILED: restarted edge " + edgeId + " serves without the blacklist (control offset " + applied + ")");
        }
        out.stage(line.replaceAll("\\s+", " "));
    }

    private void report(CampaignClock clock) {
        TopicTally.Snapshot t = tally.snapshot();
        out.progress(String.format("slot %s | shakes %,d  dispensed %,d  opened %,d | credited %,d (%s)  rejected %,d  %sbacklog %,d",
                clock == null ? "-" : clock.slotAt(System.currentTimeMillis()), t.edgeCounters().getOrDefault("shakes", 0L),
                t.edgeCounters().getOrDefault("dispensed", 0L), t.opens(), t.credits(), Progress.yuan(t.creditedFen()),
                t.rejected(), t.heldOpens() > 0 ? String.format("held for review %,d (%s)  ", t.heldOpens(), Progress.yuan(t.heldFen())) : "",
                Math.max(0, t.opens() - t.credits() - t.rejected() - t.heldOpens())));
    }

    // ---- drain, stop, reconcile -------------------------------------------------------------------------------

    /**
     * Waits until settlement has answered every open (credit or reject) or holds it for review, then two more
     * checkpoints so the logs commit.
     */
    private void drain() throws Exception {
        out.stage("draining: waiting for settlement to answer every open");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        long stableSince = 0;
        long last = -1;
        while (System.nanoTime() < deadline) {
            report(null);
            TopicTally.Snapshot t = tally.snapshot();
            long answered = t.credits() + t.rejected() + t.heldOpens();
            if (answered >= t.opens() && answered == last) {
                if (stableSince == 0) {
                    stableSince = System.nanoTime();
                } else if (System.nanoTime() - stableSince > TimeUnit.SECONDS.toNanos(6)) {
                    return;
                }
            } else {
                stableSince = 0;
            }
            last = answered;
            Thread.sleep(1_000);
        }
        out.stage("warning: settlement still has a backlog after 5 minutes; the rest is reported as pending");
    }

    private void stopOnline() {
        out.stage("stopping edges, settlement and the broker");
        edgeProcesses.values().forEach(ChildProcess::stop);
        settlementReport.addAll(settlementFailures());
        settlement.stop();
        if (dashboard != null) {
            dashboard.stop();
        }
        closeProducer();
        try {
            tally.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        broker.stop();
    }

    /**
     * A settlement job that failed and restarted from its checkpoint keeps going and may still balance: a bug in one
     * operator must not hide behind that. A failure fails the verdict, except in the fault drill, which restarts the
     * broker under the job on purpose.
     */
    private List<String> settlementFailures() {
        List<String> failures;
        try {
            failures = settlement.failures();
        } catch (RuntimeException e) {
            return List.of(String.format("%-34s unknown: Flink's REST API did not answer (%s)", "settlement job failures", e.getMessage()));
        }
        if (failures.isEmpty()) {
            return List.of(String.format("%-34s none", "settlement job failures"));
        }
        String head = s.faultDrill() ? String.format("%-34s", "settlement job failures") : CampaignSummary.SETTLEMENT_FAILED;
        return List.of(head + " " + failures.size() + (failures.size() >= 10 ? "+" : "") + " time(s)"
                + (s.faultDrill() ? " (the drill restarts the broker under it)" : "") + "; newest: " + failures.get(0));
    }

    // ---- fault drill hooks ---------------------------------------------------------------------------------------

    void killAndRestoreSettlement() throws Exception {
        out.stage("fault drill: killing the settlement job (SIGKILL)");
        settlement.kill();
        String checkpoint = stages.latestCheckpoint();
        startSettlement(checkpoint);
    }

    void restartBroker() throws IOException {
        out.stage("fault drill: restarting the Kafka broker");
        broker.restart();
    }

    void killEdgeAndFailOver(int edgeId, String nextSlot) throws IOException, InterruptedException {
        out.stage("fault drill: killing edge " + edgeId + " mid-slot; its next-slot files move to the backup (control topic)");
        edgeProcesses.get(edgeId).kill();
        ControlCommand.Builder dead = ControlCommand.newBuilder().setAction(ControlAction.DECLARE_EDGE_DEAD).setEdgeId(edgeId);
        if (nextSlot != null) {
            dead.setValue((long) slotIndex(nextSlot));
        }
        Map<Integer, Long> took = awaitApplied(control(dead, "campaign-dead-" + edgeId), 30);
        out.stage("fault drill: edge " + edgeId + " declared dead from slot " + nextSlot + ", applied by " + describe(took));
    }

    /** A slot's index on the edges' time axis (slots sorted by start), what DECLARE_EDGE_DEAD carries. */
    private int slotIndex(String slotId) {
        List<Slot> sorted = new ArrayList<>(plan.getSlots());
        sorted.sort(java.util.Comparator.comparingLong(Slot::getStartMs));
        for (int i = 0; i < sorted.size(); i++) {
            if (sorted.get(i).getSlotId().equals(slotId)) {
                return i;
            }
        }
        throw new IllegalArgumentException("unknown slot " + slotId);
    }

    private ChildProcess start(ChildProcess p) throws IOException {
        children.add(p);
        return p.start();
    }

    private void closeProducer() {
        if (producer != null) {
            producer.close(java.time.Duration.ofSeconds(5));
            producer = null;
        }
    }

    @Override
    public void close() {
        closeProducer();
        stages.close();
        for (int i = children.size() - 1; i >= 0; i--) {
            children.get(i).stop();
        }
        if (tally != null) {
            try {
                tally.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (broker != null) {
            broker.stop();
        }
    }
}
