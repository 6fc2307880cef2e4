package io.redpacket.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.ReconciliationSummary;
import io.redpacket.io.LocalFileStore;
import io.redpacket.io.WarehouseLayout;
import io.redpacket.kafka.FreePorts;
import io.redpacket.money.ReconciliationVerdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's campaign command, small, with the fault drill: real broker, local Spark generation and reconciliation,
 * Flink mini cluster settlement, two edges, a crowd with fraudsters and the insider. Asserts what the command promises:
 * money equation exact, every insider event rejected, nothing credited twice, whatever fails on the way. (The plain
 * campaign runs in the notebooks' and the dashboard's builds, the restart drill in {@link CampaignOnClustersIT}: each
 * campaign costs the build minutes of both cores.)
 */
class CampaignEndToEndIT {
    static final Path HOME = Path.of(System.getProperty("user.dir")).getParent();

    /** The fault drill: settlement killed and restored, broker restarted, an edge killed mid-slot. Same verdict. */
    @Test
    @Timeout(value = 25, unit = TimeUnit.MINUTES)
    void theFaultDrillKeepsTheMoneyExactAndFailsOverToTheBackup() throws Exception {
        List<String> summary = runCampaign("--users", "1500", "--slot-seconds", "18", "--fault-drill");
        assertVerdict(summary);
        assertThat(summary).anyMatch(l -> l.startsWith("failover: backup edge 1 dispensed edge 2's shard"));
    }

    private static void assertVerdict(List<String> summary) {
        assertThat(summary).anyMatch(l -> l.matches("blacklisted key after the switch\\s+0 envelopes.*"));
        assertThat(summary).anyMatch(l -> l.startsWith("blacklist switch applied") && !l.contains("NOT"));
        assertThat(summary).noneMatch(l -> l.startsWith("SWITCH FAILED"));
        assertThat(summary).anyMatch(l -> l.startsWith("money equation") && l.endsWith("HOLDS to the fen"));
        assertThat(summary).anyMatch(l -> l.matches("insider events credited\\s+0 of \\d+"));
        for (String reason : List.of(
                "BLACKLISTED_KEY",
                "NOT_PREGENERATED",
                "RECORD_MISMATCH",
                "DUPLICATE_ENVELOPE",
                "TOKEN_NOT_AUTHENTIC")) {
            assertThat(summary).as(reason).anyMatch(l -> l.trim().startsWith(reason + " "));
        }
    }

    private List<String> runCampaign(String... options) throws Exception {
        Path work = Path.of(System.getProperty("java.io.tmpdir")).resolve("campaign-e2e-" + System.nanoTime());
        List<String> cmd = new ArrayList<>(List.of(
                HOME.resolve("bin/redpacket").toString(),
                "campaign",
                "--work",
                work.toString(),
                "--edges",
                "2",
                "--shards",
                "4"));
        cmd.addAll(List.of(options));
        // two edges: each of --edge-port and --admin-port is the first of two consecutive ports
        FreePorts ports = new FreePorts();
        cmd.addAll(List.of(
                "--kafka-port",
                port(ports, 1),
                "--kafka-controller-port",
                port(ports, 1),
                "--edge-port",
                port(ports, 2),
                "--admin-port",
                port(ports, 2),
                "--prometheus-port",
                port(ports, 1),
                "--flink-ui-port",
                port(ports, 1),
                "--identity-port",
                port(ports, 1)));
        Path log = Files.createDirectories(work.getParent()).resolve(work.getFileName() + ".log");
        Process p = new ProcessBuilder(cmd)
                .directory(HOME.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            assertThat(p.waitFor(24, TimeUnit.MINUTES))
                    .as("campaign finished; log %s", log)
                    .isTrue();
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        assertThat(p.exitValue()).as(out).isZero();
        // What a user sees: no terminal escape codes (Maven's colours once leaked through the launcher's build step).
        assertThat(out).as("campaign output").doesNotContain("\u001b");
        assertThat(work.resolve("warehouse/money_equation")).isDirectory();
        assertThat(work.resolve("crowd/users.avro")).isRegularFile();
        assertThat(io.redpacket.io.AvroFiles.readAll(work.resolve("insider.avro"), io.redpacket.avro.InsiderOpen.class))
                .isNotEmpty();
        // The money verdict, from the typed summary reconciliation published: every kind of money paid wrongly is zero.
        ReconciliationSummary reconciled = WarehouseLayout.readSummary(
                LocalFileStore.INSTANCE, work.resolve("warehouse").toUri());
        assertThat(ReconciliationVerdict.failures(reconciled)).isEmpty();
        assertThat(reconciled.getDiscrepancies())
                .filteredOn(d -> ReconciliationVerdict.PAID_WRONGLY.contains(d.getType()))
                .hasSize(ReconciliationVerdict.PAID_WRONGLY.size())
                .allSatisfy(
                        d -> assertThat(d.getEnvelopes()).as(d.getType().name()).isZero());
        assertThat(reconciled.getMoneyEquation().getDifferenceFen()).isZero();
        assertThat(reconciled.getMoneyEquation().getCreditedFen()).isPositive();
        return Files.readAllLines(work.resolve("summary.txt"));
    }

    private static String port(FreePorts ports, int width) {
        return String.valueOf(ports.next(width));
    }
}
