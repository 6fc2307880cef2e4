package io.redpacket.campaign;

import io.redpacket.avro.ControlAction;
import io.redpacket.avro.ControlCommand;
import io.redpacket.avro.FileManifest;
import io.redpacket.avro.FundingPlan;
import io.redpacket.avro.OpenEvent;
import io.redpacket.avro.ReconciliationSummary;
import io.redpacket.avro.Slot;
import io.redpacket.cli.BadInputException;
import io.redpacket.io.AvroFiles;
import io.redpacket.io.CampaignLayout;
import io.redpacket.io.Topics;
import io.redpacket.kafka.LocalKafkaBroker;
import io.redpacket.simulation.gateway.EdgeGateway;
import io.redpacket.simulation.insider.Insider;
import io.redpacket.simulation.truth.InsiderTruth;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one campaign end to end, every component real and in its own process: keys, generation (local Spark),
 * a KRaft broker, settlement (Flink mini cluster), edges, a crowd with fraudsters and an insider, the
 * operators' mid-campaign blacklist, reconciliation (local Spark), and the finance summary. Stops everything
 * it started, on success, failure or Ctrl-C. Where generation, settlement and reconciliation run is
 * {@link CampaignStages}: on this machine, or with {@code --cluster} on Spark and Flink clusters with the data on HDFS.
 * The parts: {@link Children} (processes), {@link EdgeFleet}, {@link ControlTopic} (the operators' switches),
 * {@link CampaignTimeline} (what happens when), {@link CampaignObserver} (progress, drain), {@link CampaignSummary}
 * (the verdict).
 */
final class CampaignRunner implements AutoCloseable {
    /** The countdown: the first slot starts this long after the time axis is aligned (and the crowd released). */
    static final long COUNTDOWN_LEAD_MS = 3_000;

    private final CampaignSettings s;
    private final Progress out;
    private final Path logs;
    private final Children children;
    private final CampaignStages stages;
    private CampaignSecrets secrets;
    private LocalKafkaBroker broker;
    private TopicTally tally;
    private CampaignObserver observer;
    private EdgeFleet fleet;
    private ControlTopic control;
    private CampaignStages.Settlement settlement;
    private ChildProcess dashboard;
    private String identityUrl;
    private EdgeGateway gateway;
    private Path variantDir;
    private FundingPlan plan;

    private final List<String> operatorLines = new ArrayList<>();
    private final List<String> settlementReport = new ArrayList<>();
    private List<String> drillReport = List.of();
    private InsiderTruth insiderTruth = InsiderTruth.EMPTY;
    private long blacklistOffset = -1;
    private String failoverSlot;
    private int canaries;

    CampaignRunner(CampaignSettings settings, Progress progress) {
        this.s = settings;
        this.out = progress;
        this.logs = settings.workDir().resolve("logs");
        Map<String, String> env = Map.of(
                "SPARK_LOCAL_IP",
                "127.0.0.1",
                "JAVA_OPTS",
                "-Xmx1g -XX:+UseSerialGC -Dlog4j2.configurationFile="
                        + logs.resolve("log4j2.xml").toUri());
        this.children = new Children(settings.home(), logs, env);
        this.stages = settings.cluster()
                ? new ClusterStages(settings, progress, logs)
                : new LocalStages(settings, progress, logs, env);
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
        observer = new CampaignObserver(tally, out);
        fleet = new EdgeFleet(s, secrets, stages, broker.bootstrapServers(), children);
        control = new ControlTopic(broker.bootstrapServers(), fleet);
        startDashboard();
        // Settlement's start-up (a job submitted, its first checkpoint) overlaps the edges', the identity service's and
        // the crowd's registrations: none of those needs settlement, and the countdown waits for all of them.
        settlement = stages.startSettlement(broker.bootstrapServers(), null);
        startEdges();
        startIdentity();
        CrowdRun crowd = startCrowd();
        awaitSettlementRunning(600);
        awaitDashboard();
        awaitRegistered(crowd);
        CampaignClock clock = alignTimeAxis();
        crowd.release();
        runCrowd(clock, crowd);
        observer.drain();
        stopOnline();
        ReconciliationSummary reconciled = stages.reconcile();
        CampaignSummary summary =
                CampaignSummary.build(s, variantDir, reconciled, tally.snapshot(), crowd.truth(), insiderTruth, tally);
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
            ChildProcess p = children.redpacket("build-" + cmd, "build.log", cmd, "--help");
            int code = p.await(30, TimeUnit.MINUTES);
            if (code != 0) {
                throw new IOException("building the '" + cmd + "' stage failed; see " + p.log() + ":\n" + p.tail(30));
            }
        }
        out.stage(
                "stages built (generation, edge, settlement, reconciliation" + (s.dashboard() ? ", dashboard)" : ")"));
    }

    // ---- secrets and keys -------------------------------------------------------------------------------

    private void prepareSecrets() throws IOException {
        secrets = CampaignSecrets.create(s.workDir(), s.dashboard());
        out.stage("keys: sealing ring of " + secrets.ticketKeys() + " ticket keys + token key in "
                + s.workDir().relativize(secrets.sealingRing()) + ", session key in "
                + s.workDir().relativize(secrets.sessionRing()) + " (password in secrets/, never on a command line)");
    }

    // ---- generation ---------------------------------------------------------------------------------------

    private void generate() throws IOException {
        Path script = s.workDir().resolve("inputs/script.yaml");
        int slots = CampaignScript.compress(s.script(), script, s.slotSeconds());
        Files.copy(s.budget(), s.workDir().resolve("inputs/budget.csv"), StandardCopyOption.REPLACE_EXISTING);
        variantDir = stages.generate(new CampaignStages.Inputs(
                s.workDir().resolve("inputs/budget.csv"),
                script,
                slots,
                secrets.sealingRing(),
                secrets.passwordFile()));
        List<FileManifest> manifests =
                AvroFiles.readAll(variantDir.resolve(CampaignLayout.MANIFESTS), FileManifest.class);
        long envelopes =
                manifests.stream().mapToLong(FileManifest::getRecordCount).sum();
        long fen = manifests.stream().mapToLong(FileManifest::getAmountFen).sum();
        out.stage(String.format(
                "generated %,d envelopes worth %s in %d files", envelopes, Progress.yuan(fen), manifests.size()));
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

    /** Starts the dashboard (reads the metrics topic; its switches go to the control topic, which every edge reads). */
    private void startDashboard() throws IOException {
        if (!s.dashboard()) {
            return;
        }
        dashboard = children.redpacket(
                "dashboard",
                "dashboard.log",
                "dashboard",
                "--kafka",
                broker.bootstrapServers(),
                "--campaign",
                variantDir.toString(),
                "--host",
                "127.0.0.1",
                "--port",
                String.valueOf(s.dashboardPort()),
                "--operator-token-file",
                s.workDir().resolve("secrets/operator-token").toString(),
                "--audit-log",
                s.workDir().resolve("dashboard/audit.log").toString());
    }

    private void awaitDashboard() throws IOException, InterruptedException {
        if (dashboard == null) {
            return;
        }
        String url = "http://127.0.0.1:" + s.dashboardPort() + "/";
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            if (!dashboard.isAlive()) {
                throw new IOException(
                        "dashboard exited during start-up; " + dashboard.log() + ":\n" + dashboard.tail(40));
            }
            try {
                var r = http.send(
                        HttpRequest.newBuilder(URI.create(url + "health"))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
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
        out.stage("dashboard: " + url + " (operator token in "
                + s.workDir().relativize(s.workDir().resolve("secrets/operator-token")) + ", audit log "
                + s.workDir().relativize(s.workDir().resolve("dashboard/audit.log")) + ")");
    }

    // ---- settlement -----------------------------------------------------------------------------------------

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

    private void sendCanary() throws IOException {
        long now = System.currentTimeMillis();
        OpenEvent e = OpenEvent.newBuilder()
                .setEventId(TopicTally.CANARY_PREFIX + (++canaries))
                .setToken("canary")
                .setUserId("campaign-canary")
                .setDeviceId("campaign")
                .setIp("127.0.0.1")
                .setClientVersion("campaign")
                .setEdgeId(0)
                .setShakeTimeMs(now)
                .setOpenTimeMs(now)
                .build();
        control.publish(Topics.OPENS, "0", e.toByteBuffer().array());
    }

    // ---- edges and the time axis ------------------------------------------------------------------------------

    private void startEdges() throws IOException, InterruptedException {
        fleet.startAll();
        out.stage("edges: " + s.edges() + " edges up, shard table " + fleet.table() + "; "
                + String.join(
                        ", ",
                        fleet.clients().stream()
                                .map(e -> "edge " + e.edgeId + " " + e.publicUrl() + "/metrics")
                                .toList()));
    }

    /** Moves the plan's first slot to a few seconds from now on every edge: the operators' countdown shift, on the control topic. */
    private CampaignClock alignTimeAxis() throws IOException, InterruptedException {
        FundingPlan plan = plan();
        long firstStart = plan.getSlots().get(0).getStartMs();
        long lastEnd = plan.getSlots().get(plan.getSlots().size() - 1).getEndMs();
        long startAt = System.currentTimeMillis() + COUNTDOWN_LEAD_MS;
        long shift = startAt - firstStart;
        long offset = control.issue(
                ControlCommand.newBuilder()
                        .setAction(ControlAction.SHIFT_COUNTDOWN)
                        .setValue(shift),
                "campaign-countdown");
        Map<Integer, Long> took = control.awaitApplied(offset, 30);
        out.stage(String.format(
                "time axis: first slot starts in 3 s, campaign lasts %d s (countdown shift on the control topic, applied by %s)",
                (lastEnd - firstStart) / 1000, ControlTopic.describe(took)));
        return new CampaignClock(startAt, startAt + (lastEnd - firstStart), plan);
    }

    private FundingPlan plan() throws IOException {
        if (plan == null) {
            plan = AvroFiles.readAll(variantDir.resolve(CampaignLayout.PLAN), FundingPlan.class)
                    .get(0);
        }
        return plan;
    }

    /** From the first slot's start to the last one's end. */
    private long campaignLengthMs() throws IOException {
        List<Slot> slots = plan().getSlots();
        return slots.get(slots.size() - 1).getEndMs() - slots.get(0).getStartMs();
    }

    // ---- the local identity service ---------------------------------------------------------------------------

    /** The identity service the crowd registers with and logs in to; it signs sessions with keys/session-ring.p12. */
    private void startIdentity() throws IOException, InterruptedException {
        ChildProcess p = children.redpacket(
                "identity",
                "identity.log",
                "identity",
                "--session-ring",
                secrets.sessionRing().toString(),
                "--password-file",
                secrets.passwordFile().toString(),
                "--port",
                String.valueOf(s.identityPort()),
                "--out",
                s.workDir().resolve("identity").toString(),
                "--trusted-proxies",
                "127.0.0.1",
                "--lifetime-s",
                "3600");
        identityUrl = "http://127.0.0.1:" + s.identityPort();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (!new EdgeClient(0, s.identityPort(), 0, secrets.adminToken()).healthy()) {
            if (!p.isAlive()) {
                throw new IOException("the identity service exited during start-up; " + p.log() + ":\n" + p.tail(40));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the identity service is not answering after 300 s; see " + p.log());
            }
            Thread.sleep(300);
        }
        out.stage("identity service on " + identityUrl
                + " (accounts register and log in; sessions signed with session key 1, 1 h;"
                + " registrations and logins in identity/)");
    }

    // ---- the crowd, the operators and the insider --------------------------------------------------------------

    /**
     * Starts the crowd before the countdown: it registers every account with the identity service first (preparation,
     * not part of the show), then waits to be released.
     */
    private CrowdRun startCrowd() throws IOException {
        long durationS = (campaignLengthMs() + COUNTDOWN_LEAD_MS) / 1000 + 2;
        CrowdRun crowd = new CrowdRun(
                s,
                fleet.clients(),
                identityUrl,
                s.workDir().resolve("crowd"),
                logs.resolve("crowd.log"),
                children.env(),
                durationS);
        gateway = crowd.gateway();
        children.start(crowd.process());
        out.stage(String.format(
                "crowd: %,d users of scenario %s (%s fraud%s) registering with the identity service before the countdown;"
                        + " each logs in on arrival and acts for %d s",
                s.users(),
                s.scenario() == null ? "default" : s.scenario(),
                s.fraudShare() == null ? "the scenario's share of" : String.format("%.0f%%", s.fraudShare() * 100),
                s.sessionAttacks() ? ", with stolen and expired sessions" : "",
                durationS));
        return crowd;
    }

    private void awaitRegistered(CrowdRun crowd) throws IOException, InterruptedException {
        long accounts = crowd.awaitRegistered(600);
        out.stage(String.format("crowd: %,d accounts registered before the countdown", accounts));
    }

    private void runCrowd(CampaignClock clock, CrowdRun crowd) throws Exception {
        Insider insider = new Insider(variantDir, secrets.passwordFile(), broker.bootstrapServers(), s.seed());
        CampaignTimeline timeline = timeline(clock, insider);
        while (crowd.process().isAlive()) {
            timeline.fireDue(clock.fraction(System.currentTimeMillis()));
            observer.report(clock);
            Thread.sleep(3_000);
        }
        int code = crowd.process().await(1, TimeUnit.MINUTES);
        if (code != 0) {
            throw new IOException("crowd failed (exit " + code + "); "
                    + crowd.process().log() + ":\n" + crowd.process().tail(30));
        }
        timeline.fireLate();
        long late = gateway.watchedDispensed();
        operatorLines.add(String.format("%-34s %,d", "blacklisted key after the switch", late) + " envelopes of key "
                + insider.leakedKeyId() + " dispensed to shakes sent after every edge applied it");
        if (late > 0) {
            operatorLines.add("SWITCH FAILED: " + late + " envelopes of blacklisted key " + insider.leakedKeyId()
                    + " dispensed after the switch was applied");
        }
        insider.replayCredited(tally.creditedOpens(Insider.PER_KIND));
        if (s.faultDrill()) {
            drillReport = drillReport(timeline);
        }
        insiderTruth = insider.truth();
        insiderTruth.write(s.workDir().resolve(InsiderTruth.FILE));
        out.stage("crowd done; insider injected " + insiderTruth.events()
                + " forged, tampered, replayed and blacklisted-key opens straight into Kafka");
    }

    /**
     * The insider forges before the blacklist and replays after it; the operators blacklist the key it leaked half-way.
     * The fault drill kills an edge in the middle of a slot that has a next one (15 % in: with two slots, early in the
     * first), then settlement (25 %; its restore blocks until the restored job answers), then restarts the broker
     * (45 %), so every fault lands while opens are flowing. The restart drill has the last edge down while the
     * blacklist is pulled and back after it: it must apply the switch it missed before it dispenses again.
     */
    private static final String DRILL_EDGE = "fault drill: edge 2";

    private static final String DRILL_SETTLEMENT = "fault drill: settlement";
    private static final String DRILL_BROKER = "fault drill: broker";
    private static final String RESTART_KILL = "restart drill: kill";
    private static final String RESTART_BACK = "restart drill: restart";

    private CampaignTimeline timeline(CampaignClock clock, Insider insider) {
        CampaignTimeline t = new CampaignTimeline()
                .add(0.3, "insider forges", true, insider::attackBeforeBlacklist)
                .add(0.5, "blacklist", true, () -> {
                    blacklist(insider.leakedKeyId());
                    insider.attackAfterBlacklist();
                });
        if (s.faultDrill()) {
            t.add(0.15, DRILL_EDGE, false, () -> {
                String next = clock.nextSlot(System.currentTimeMillis());
                if (next != null) {
                    failoverSlot = next;
                    killEdgeAndFailOver(2, next);
                }
            });
            t.add(0.25, DRILL_SETTLEMENT, false, this::killAndRestoreSettlement);
            t.add(0.45, DRILL_BROKER, false, this::restartBroker);
        } else if (s.restartDrill() && s.edges() >= 2) {
            int last = s.edges();
            t.add(0.4, RESTART_KILL, false, () -> {
                out.stage("operators' drill: edge " + last + " killed (SIGKILL); it misses the next switch");
                fleet.kill(last);
            });
            t.add(0.55, RESTART_BACK, true, () -> {
                if (t.fired(RESTART_KILL)) {
                    restartEdge(last);
                }
            });
        }
        return t;
    }

    // ---- the operators' switches and drills ----------------------------------------------------------------------

    /**
     * The operators learn key K leaked: one command on the control topic; every running edge skips its envelopes at
     * shake and refuses them at open, settlement refuses them. From the moment every running edge acknowledged it,
     * the gateway counts envelopes of K still handed out (the verdict wants none).
     */
    private void blacklist(int keyId) throws IOException, InterruptedException {
        blacklistOffset = control.issue(
                ControlCommand.newBuilder()
                        .setAction(ControlAction.BLACKLIST_KEY)
                        .setKeyId(keyId),
                "campaign-blacklist-" + keyId);
        Map<Integer, Long> took = control.awaitApplied(blacklistOffset, 30);
        gateway.watchKey(keyId, System.currentTimeMillis());
        out.stage("operators: key " + keyId + " leaked -> blacklisted through the control topic (offset "
                + blacklistOffset + "), applied by " + ControlTopic.describe(took)
                + "; settlement reads the same command");
        operatorLines.add(String.format("%-34s %s", "blacklist switch applied", ControlTopic.describe(took)));
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
        EdgeClient edge = fleet.restart(edgeId);
        long applied = edge.controlOffset();
        boolean ok = applied > blacklistOffset;
        String line = String.format(
                "%-34s edge %d back after missing the blacklist: %d switches of the control topic applied before serving (%s)",
                "restarted edge", edgeId, applied, ok ? "blacklist included" : "BLACKLIST MISSING");
        operatorLines.add(line);
        if (!ok) {
            operatorLines.add("SWITCH FAILED: restarted edge " + edgeId
                    + " serves without the blacklist (control offset " + applied + ")");
        }
        out.stage(line.replaceAll("\\s+", " "));
    }

    private void killAndRestoreSettlement() throws Exception {
        out.stage("fault drill: killing the settlement job (SIGKILL)");
        settlement.kill();
        settlement = stages.startSettlement(broker.bootstrapServers(), stages.latestCheckpoint());
        awaitSettlementRunning(600);
    }

    private void restartBroker() throws IOException {
        out.stage("fault drill: restarting the Kafka broker");
        broker.restart();
    }

    private void killEdgeAndFailOver(int edgeId, String nextSlot) throws IOException, InterruptedException {
        out.stage("fault drill: killing edge " + edgeId
                + " mid-slot; its next-slot files move to the backup (control topic)");
        fleet.kill(edgeId);
        ControlCommand.Builder dead = ControlCommand.newBuilder()
                .setAction(ControlAction.DECLARE_EDGE_DEAD)
                .setEdgeId(edgeId)
                .setValue((long) slotIndex(nextSlot));
        Map<Integer, Long> took = control.awaitApplied(control.issue(dead, "campaign-dead-" + edgeId), 30);
        out.stage("fault drill: edge " + edgeId + " declared dead from slot " + nextSlot + ", applied by "
                + ControlTopic.describe(took));
    }

    /** A slot's index on the edges' time axis (slots sorted by start), what DECLARE_EDGE_DEAD carries. */
    private int slotIndex(String slotId) {
        List<Slot> sorted = new ArrayList<>(plan.getSlots());
        sorted.sort(Comparator.comparingLong(Slot::getStartMs));
        for (int i = 0; i < sorted.size(); i++) {
            if (sorted.get(i).getSlotId().equals(slotId)) {
                return i;
            }
        }
        throw new IllegalArgumentException("unknown slot " + slotId);
    }

    /**
     * Which faults the drill caused (a step still due when the crowd ended is not caused: a slow restore can hold the
     * timeline past the end), and which of the killed edge's files the backup dispensed from: the proof that failover
     * happened.
     */
    private List<String> drillReport(CampaignTimeline timeline) {
        List<String> lines = new ArrayList<>();
        Map<String, String> faults = new java.util.LinkedHashMap<>();
        faults.put(DRILL_EDGE, "edge 2 killed mid-slot");
        faults.put(DRILL_SETTLEMENT, "settlement killed and restored from its checkpoint");
        faults.put(DRILL_BROKER, "broker restarted");
        List<String> caused = faults.entrySet().stream()
                .filter(f -> timeline.fired(f.getKey()))
                .map(Map.Entry::getValue)
                .toList();
        List<String> missed = faults.entrySet().stream()
                .filter(f -> !timeline.fired(f.getKey()))
                .map(Map.Entry::getValue)
                .toList();
        lines.add("fault drill: " + String.join("; ", caused)
                + (missed.isEmpty() ? "" : " (the crowd ended before: " + String.join(", ", missed) + ")"));
        if (failoverSlot == null) {
            lines.add("FAILOVER MISSING: the campaign has no slot after the one edge 2 died in");
            return lines;
        }
        Path cursors = s.workDir().resolve("edges/edge-1/cursors/slot=" + failoverSlot);
        List<String> taken = new ArrayList<>();
        for (int shard = 0; shard < s.shards(); shard++) {
            if (ShardPlan.primary(shard, s.edges()) == 2
                    && Files.exists(cursors.resolve(String.format("shard-%05d.cursor", shard)))) {
                taken.add("shard " + shard);
            }
        }
        lines.add(
                taken.isEmpty()
                        ? "FAILOVER MISSING: edge 1 never opened edge 2's files of slot " + failoverSlot
                        : "failover: backup edge 1 dispensed edge 2's " + String.join(", ", taken) + " in slot "
                                + failoverSlot);
        return lines;
    }

    // ---- stop ---------------------------------------------------------------------------------------------------

    private void stopOnline() {
        out.stage("stopping edges, settlement and the broker");
        fleet.stopAll();
        settlementReport.addAll(settlementFailures());
        settlement.stop();
        if (dashboard != null) {
            dashboard.stop();
        }
        control.close();
        closeTally();
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
            return List.of(String.format(
                    "%-34s unknown: Flink's REST API did not answer (%s)", "settlement job failures", e.getMessage()));
        }
        if (failures.isEmpty()) {
            return List.of(String.format("%-34s none", "settlement job failures"));
        }
        String head =
                s.faultDrill() ? String.format("%-34s", "settlement job failures") : CampaignSummary.SETTLEMENT_FAILED;
        return List.of(head + " " + failures.size() + (failures.size() >= 10 ? "+" : "") + " time(s)"
                + (s.faultDrill() ? " (the drill restarts the broker under it)" : "") + "; newest: " + failures.get(0));
    }

    private void closeTally() {
        try {
            tally.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (control != null) {
            control.close();
        }
        stages.close();
        children.close();
        if (tally != null) {
            closeTally();
        }
        if (broker != null) {
            broker.stop();
        }
    }
}
