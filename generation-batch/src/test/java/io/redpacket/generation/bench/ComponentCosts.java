package io.redpacket.generation.bench;

import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.envelope.TicketSealer;
import io.redpacket.generation.plan.VariantPlanner;
import io.redpacket.generation.split.AmountSplitter;
import io.redpacket.generation.split.Keyed;
import io.redpacket.io.EnvelopeFiles;
import io.redpacket.keys.KeyRing;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * Where the time of one envelope goes, on one core: each step of {@code FileGenerator} timed alone on a million
 * envelopes (shuffled in blocks of the job's size) (after a warm-up), so the end-to-end figure can be compared with the sum of its parts.
 */
final class ComponentCosts {
    private static final int N = 1 << 20;
    private static final int RUN = 4096;

    private ComponentCosts() {}

    static void print(Path scratch, PrintStream log) throws IOException {
        long[] amounts = new long[N];
        int[] order = new int[N];
        int[] labels = new int[N];
        long[] ids = new long[RUN];
        long[] runAmounts = new long[RUN];
        int[] batches = new int[RUN];
        byte[] out = new byte[RUN * EnvelopeLayout.RECORD_BYTES];
        TicketSealer sealer = new TicketSealer(KeyRing.generate(4, new SecureRandom()));
        MessageDigest sha = EnvelopeFiles.sha256();
        Path file = scratch.resolve("component-costs.bin");
        double split = 0;
        double shuffle = 0;
        double seal = 0;
        double hash = 0;
        double write = 0;
        for (int round = 0; round < 6; round++) {
            long t0 = System.nanoTime();
            AmountSplitter.split(250L * N + 12345, N, 100, 800, round, amounts, 0);
            long t1 = System.nanoTime();
            long gather = 0;
            int block = VariantPlanner.DEFAULT_BLOCK_SIZE;
            for (int from = 0; from < N; from += block) {
                for (int i = 0; i < block; i++) {
                    order[i] = from + i;
                }
                shuffleInts(order, block, new Keyed.Stream(round * 1000L + from));
                for (int i = 0; i < block; i++) {
                    int at = order[i];
                    gather += amounts[at] + labels[at];
                }
            }
            long t2 = System.nanoTime();
            for (int i = 0; i < RUN; i++) {
                ids[i] = i;
                runAmounts[i] = amounts[i];
                batches[i] = 1;
            }
            for (int r = 0; r < N / RUN; r++) {
                sealer.sealBulk(1 + (r & 3), ids, runAmounts, batches, 0, RUN, out, 0);
            }
            long t3 = System.nanoTime();
            for (int r = 0; r < N / RUN; r++) {
                sha.update(out, 0, out.length);
            }
            sha.digest();
            long t4 = System.nanoTime();
            try (OutputStream os = Files.newOutputStream(file)) {
                for (int r = 0; r < N / RUN; r++) {
                    os.write(out);
                }
            }
            long t5 = System.nanoTime();
            if (round >= 3 && gather != 42) {
                split += (t1 - t0) / (double) N;
                shuffle += (t2 - t1) / (double) N;
                seal += (t3 - t2) / (double) N;
                hash += (t4 - t3) / (double) N;
                write += (t5 - t4) / (double) N;
            }
        }
        Files.deleteIfExists(file);
        double total = (split + shuffle + seal + hash + write) / 3;
        log.printf(
                "per envelope on one core (ns): split %.1f, shuffle+gather %.1f, seal (AES+CRC+header) %.1f, sha256 %.1f, write %.1f"
                        + " = %.1f ns, i.e. %.1f M envelopes/s per core before Spark, planning and I/O contention%n",
                split / 3, shuffle / 3, seal / 3, hash / 3, write / 3, total, 1000 / total);
    }

    private static void shuffleInts(int[] a, int len, Keyed.Stream rnd) {
        for (int i = len - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
