package io.redpacket.campaign;

import io.redpacket.avro.ReconciliationSummary;
import io.redpacket.flinkcluster.FlinkRest;
import io.redpacket.io.LocalFileStore;
import io.redpacket.io.WarehouseLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The default stages: {@code bin/redpacket generate}, {@code settle} and {@code reconcile} as processes on this machine
 * (local Spark, a Flink mini cluster), the data in the run directory.
 */
final class LocalStages implements CampaignStages {
    private final CampaignSettings s;
    private final Progress out;
    private final Path logs;
    private final Map<String, String> env;
    private final List<ChildProcess> children = new ArrayList<>();
    private Path variantDir;
    private Path passwordFile;

    LocalStages(CampaignSettings settings, Progress progress, Path logs, Map<String, String> env) {
        this.s = settings;
        this.out = progress;
        this.logs = logs;
        this.env = env;
    }

    @Override
    public void start() {
        // Nothing to start: each stage is its own process.
    }

    @Override
    public Path generate(Inputs in) throws IOException {
        passwordFile = in.passwordFile();
        Path genOut = s.workDir().resolve("generation");
        out.stage(
                "generation: " + in.slots() + " slots of " + s.slotSeconds() + " s, " + s.shards() + " shards, variant "
                        + s.variant() + " (local Spark; Spark UI on http://127.0.0.1:4040 while it runs)");
        ChildProcess gen = start(ChildProcess.redpacket(
                s.home(),
                "generate",
                logs.resolve("generate.log"),
                env,
                "generate",
                "--budget",
                in.budget().toString(),
                "--script",
                in.script().toString(),
                "--keys",
                in.ring().toString(),
                "--password-file",
                passwordFile.toString(),
                "--out",
                genOut.toString(),
                "--shards",
                String.valueOf(s.shards()),
                "--seed",
                String.valueOf(s.seed()),
                "--variant",
                s.variant()));
        int code = gen.await(20, TimeUnit.MINUTES);
        if (code != 0) {
            throw new IOException("generation failed (exit " + code + "); " + gen.log() + ":\n" + gen.tail(30));
        }
        variantDir = genOut.resolve(s.variant());
        return variantDir;
    }

    @Override
    public Path edgeCampaign(int edgeId) {
        return variantDir;
    }

    @Override
    public Settlement startSettlement(String kafka, String fromCheckpoint) throws IOException {
        List<String> args = new ArrayList<>(List.of(
                "settle",
                "--campaign",
                variantDir.toString(),
                "--kafka",
                kafka,
                "--out",
                s.workDir().resolve("settlement").toString(),
                "--password-file",
                passwordFile.toString(),
                "--checkpoint-interval",
                "PT2S",
                "--parallelism",
                "2",
                "--channel-limit",
                "coupon-travel=" + s.couponLimitPerSecond(),
                "--prometheus-port",
                String.valueOf(s.prometheusPort()),
                "--web-ui-port",
                String.valueOf(s.flinkUiPort())));
        if (s.holdFlagged()) {
            args.add("--hold-flagged");
        }
        if (fromCheckpoint != null) {
            args.add("--from-savepoint");
            args.add(fromCheckpoint);
        }
        ChildProcess p = start(ChildProcess.redpacket(
                s.home(), "settle", logs.resolve("settle.log"), env, args.toArray(String[]::new)));
        out.stage("settlement: Flink mini cluster" + (fromCheckpoint != null ? " restored from " + fromCheckpoint : "")
                + "; Flink UI on http://127.0.0.1:" + s.flinkUiPort() + ", Prometheus metrics on http://127.0.0.1:"
                + s.prometheusPort() + "/metrics");
        return new Settlement() {
            @Override
            public boolean isAlive() {
                return p.isAlive();
            }

            @Override
            public String diagnostics() {
                return p.log() + ":\n" + p.tail(40);
            }

            @Override
            public List<String> failures() {
                // The mini cluster serves Flink's REST API on the web UI port; its one job is settlement.
                FlinkRest rest = new FlinkRest("http://127.0.0.1:" + s.flinkUiPort());
                List<String> out = new ArrayList<>();
                rest.jobs().forEach(j -> out.addAll(rest.failures(j.id())));
                return out;
            }

            @Override
            public void stop() {
                p.stop();
            }

            @Override
            public void kill() {
                p.kill();
            }
        };
    }

    @Override
    public String latestCheckpoint() throws IOException {
        return Checkpoints.latest(s.workDir().resolve("settlement/.checkpoints"));
    }

    @Override
    public ReconciliationSummary reconcile() throws IOException, io.redpacket.cli.BadInputException {
        out.stage("reconciliation: decrypting every envelope, matching opens and credits (local Spark)");
        ChildProcess rec = start(ChildProcess.redpacket(
                s.home(),
                "reconcile",
                logs.resolve("reconcile.log"),
                env,
                "reconcile",
                "--generation",
                variantDir.toString(),
                "--settlement",
                s.workDir().resolve("settlement").toString(),
                "--warehouse",
                s.workDir().resolve("warehouse").toString(),
                "--password-file",
                passwordFile.toString()));
        int code = rec.await(20, TimeUnit.MINUTES);
        if (code != 0) {
            throw new IOException("reconciliation failed (exit " + code + "); " + rec.log() + ":\n" + rec.tail(30));
        }
        return WarehouseLayout.readSummary(
                LocalFileStore.INSTANCE, s.workDir().resolve("warehouse").toUri());
    }

    @Override
    public List<String> outputLines() {
        return List.of();
    }

    private ChildProcess start(ChildProcess p) throws IOException {
        children.add(p);
        return p.start();
    }

    @Override
    public void close() {
        for (int i = children.size() - 1; i >= 0; i--) {
            children.get(i).stop();
        }
    }
}
