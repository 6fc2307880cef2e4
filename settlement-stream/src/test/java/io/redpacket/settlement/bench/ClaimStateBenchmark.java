package io.redpacket.settlement.bench;

import io.redpacket.avro.ControlCommand;
import io.redpacket.io.AvroTrust;
import io.redpacket.settlement.Settings;
import io.redpacket.settlement.functions.ClaimEnvelopes;
import io.redpacket.settlement.functions.ControlState;
import io.redpacket.settlement.records.ClaimInput;
import io.redpacket.settlement.records.PregeneratedEnvelope;
import io.redpacket.settlement.records.VerifiedOpen;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test: what the claim step's keyed state costs per pre-generated envelope in RocksDB (the
 * production backend), in checkpointed SST files, after loading and after every envelope was claimed. Figures
 * scale linearly to 1e9 envelopes over the cluster. CPU is measured end to end by {@link SettlementBenchmark}
 * (phase 0): this harness's RocksDB runs without Flink's managed memory (8 MB block cache, no bloom filter), so its
 * lookups are not what a TaskManager's are.
 * <pre>
 *   mvn -B -o -pl settlement-stream test -Dtest=ClaimStateBenchmark -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.envelopes=300000]
 * </pre>
 */
class ClaimStateBenchmark {
    private static final int ENVELOPES = Integer.getInteger("bench.envelopes", 300_000);

    @Test
    void statePerEnvelope() throws Exception {
        AvroTrust.install();
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "claim-state-");
        Settings settings = new Settings("v", null, 600_000, new int[0], Long.MAX_VALUE, Map.of(), 0, 1, 0);
        List<String> report = new ArrayList<>();
        try (var h = new KeyedBroadcastOperatorTestHarness<Long, ClaimInput, ControlCommand, VerifiedOpen>(
                new CoBroadcastWithKeyedOperator<>(new ClaimEnvelopes(settings), List.of(ControlState.BLACKLIST)),
                ClaimInput::blockOf,
                Types.LONG,
                128,
                1,
                0)) {
            EmbeddedRocksDBStateBackend rocksDb = new EmbeddedRocksDBStateBackend(true);
            rocksDb.setDbStoragePath(dir.toString());
            h.setStateBackend(rocksDb);
            h.setCheckpointStorage(new org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage(
                    dir.resolve("checkpoints").toUri()));
            h.setup();
            h.open();
            h.setProcessingTime(1_000);

            // generation's order: ids shuffled across files; records are ciphertext (random bytes)
            SplittableRandom random = new SplittableRandom(7);
            long[] ids = new long[ENVELOPES];
            for (int i = 0; i < ENVELOPES; i++) {
                ids[i] = i;
            }
            for (int i = ENVELOPES - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                long t = ids[i];
                ids[i] = ids[j];
                ids[j] = t;
            }
            byte[][] records = new byte[ENVELOPES][];
            for (int i = 0; i < ENVELOPES; i++) {
                byte[] r = new byte[26];
                random.nextBytes(r);
                records[(int) ids[i]] = r;
                h.processElement(ClaimInput.of(new PregeneratedEnvelope(ids[i], r)), 0);
            }
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            h.processBroadcastWatermark(new Watermark(Long.MAX_VALUE));
            OperatorSubtaskState loaded = h.snapshot(1, 1);
            report.add(String.format(
                    "%,d envelopes loaded: checkpointed state %,d bytes = %.1f bytes per envelope",
                    ENVELOPES, loaded.getStateSize(), (double) loaded.getStateSize() / ENVELOPES));

            String prefix = "e7-" + Long.toString(System.currentTimeMillis(), 36) + "-";
            for (int i = 0; i < ENVELOPES; i++) {
                VerifiedOpen v = new VerifiedOpen();
                v.eventId = prefix + i;
                v.userId = "u" + i;
                v.envelopeId = ids[i];
                v.keyId = 1;
                v.record = records[(int) ids[i]];
                h.processElement(ClaimInput.of(v), 0);
            }
            OperatorSubtaskState claimed = h.snapshot(2, 2);
            report.add(String.format(
                    "%,d envelopes claimed (event ids like %s): checkpointed state %,d bytes = %.1f bytes per envelope",
                    ENVELOPES, prefix + "123456", claimed.getStateSize(), (double) claimed.getStateSize() / ENVELOPES));
            report.add(String.format("RocksDB working directory and checkpoints after claiming: %,d bytes", size(dir)));
        }
        report.forEach(System.out::println);
        Files.createDirectories(Path.of("target", "bench"));
        Files.write(Path.of("target", "bench", "claim-state-benchmark.txt"), report);
    }

    private static long size(Path dir) throws Exception {
        try (var s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        }
    }
}
