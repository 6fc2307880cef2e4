package io.redpacket.generation.split;

import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.envelope.TicketSealer;
import io.redpacket.generation.plan.FileResult;
import io.redpacket.generation.plan.FileTask;
import io.redpacket.io.EnvelopeFiles;
import io.redpacket.io.FileStore;
import io.redpacket.io.Locations;
import io.redpacket.keys.KeyAllotment;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.security.MessageDigest;

/**
 * Generates one envelope file from its {@link FileTask}: splits each piece's money into envelopes, shuffles them,
 * seals them with the file's keys in rotation, and writes the 26-byte records. O(records), memory bounded by
 * the block size whatever the file's size.
 *
 * <p>A file larger than one block is cut into blocks of at most {@code blockSize} records, each receiving a
 * proportional part of every piece (dealt like the shards, see {@link io.redpacket.generation.plan.VariantPlanner}),
 * so each block is as well mixed as the file: every stretch of the file that an edge dispenses in a few seconds
 * serves the slot's sponsors and types in proportion. Inside a block the order is a uniform random permutation
 * (Fisher-Yates, keyed by seed, slot, shard and block). Memory: 16 bytes per record of a block.
 *
 * <p>Keys: a {@link KeyAllotment.Cursor} over the file's own key range, in file order, so no key passes its cap and
 * the keys of a file do not depend on any other file. Not thread-safe: one instance per task thread.
 */
public final class FileGenerator {
    private static final int SEAL_RUN = 4096;

    private final TicketSealer sealer;
    private final long[] runIds = new long[SEAL_RUN];
    private final long[] runAmounts = new long[SEAL_RUN];
    private final int[] runBatches = new int[SEAL_RUN];
    private final int[] runKeys = new int[SEAL_RUN];
    private final byte[] out = new byte[SEAL_RUN * EnvelopeLayout.RECORD_BYTES];
    private long[] amounts = new long[0];
    private int[] labels = new int[0];
    private int[] order = new int[0];

    public FileGenerator(TicketSealer sealer) {
        this.sealer = sealer;
    }

    /**
     * Writes {@code variantDir/task.fileName} through {@code store}, whole or not at all
     * ({@link FileStore#writeAtomically}: a hidden sibling renamed into place, or one PUT on an object store), so a
     * retried task rewrites the same bytes and a failed one leaves no partial file under the file's name.
     */
    public FileResult generate(FileTask task, FileStore store, URI variantDir) throws IOException {
        URI target = Locations.child(variantDir, task.fileName);
        State st = new State(task);
        store.writeAtomically(target, os -> {
            st.os = os;
            writeBlocks(task, st);
        });
        return st.result(task);
    }

    private void writeBlocks(FileTask task, State st) throws IOException {
        long records = task.recordCount();
        long blocks = Math.max(1, (records + task.blockSize - 1) / task.blockSize);
        int n = task.pieces();
        long[] pieceStart = new long[n];
        long pos = 0;
        for (int i = 0; i < n; i++) {
            pieceStart[i] = pos;
            pos += task.counts[i];
        }
        long[] taken = new long[n];
        int[] offset = new int[n];
        long[] blockFrom = new long[n];
        long fileKey = Keyed.derive(Keyed.derive(task.variantKey, "shuffle/" + task.slotId), task.shard);
        for (long b = 0; b < blocks; b++) {
            int len = 0;
            for (int i = 0; i < n; i++) {
                int c = (int) countCongruent(pieceStart[i], pieceStart[i] + task.counts[i], b, blocks);
                offset[i] = len;
                blockFrom[i] = taken[i];
                ensure(len + c);
                if (c > 0) {
                    long total = AmountSplitter.share(task.totals[i], task.counts[i], taken[i], taken[i] + c);
                    long index = task.batchIndexFrom[i] + taken[i];
                    long key = Keyed.derive(Keyed.derive(task.variantKey, task.batchIds[i]), index);
                    AmountSplitter.split(total, c, task.mins[i], task.maxs[i], key, amounts, len);
                    java.util.Arrays.fill(labels, len, len + c, i);
                }
                taken[i] += c;
                len += c;
            }
            for (int r = 0; r < len; r++) {
                order[r] = r;
            }
            shuffle(order, len, new Keyed.Stream(Keyed.derive(fileKey, b)));
            int run = 0;
            for (int r = 0; r < len; r++) {
                int at = order[r];
                int i = labels[at];
                int k = at - offset[i];
                runIds[run] = task.firstIds[i] + blockFrom[i] + k;
                runAmounts[run] = amounts[at];
                runBatches[run] = task.batchIds[i];
                run++;
                if (run == SEAL_RUN) {
                    flush(run, st);
                    run = 0;
                }
            }
            flush(run, st);
        }
    }

    private void flush(int n, State st) throws IOException {
        if (n == 0) {
            return;
        }
        for (int r = 0; r < n; r++) {
            runKeys[r] = st.cursor.keyFor(runAmounts[r]);
            st.count(runKeys[r], runBatches[r], runAmounts[r]);
        }
        int from = 0;
        while (from < n) {
            int key = runKeys[from];
            int to = from + 1;
            while (to < n && runKeys[to] == key) {
                to++;
            }
            sealer.sealBulk(
                    key, runIds, runAmounts, runBatches, from, to - from, out, from * EnvelopeLayout.RECORD_BYTES);
            from = to;
        }
        int bytes = n * EnvelopeLayout.RECORD_BYTES;
        st.digest.update(out, 0, bytes);
        st.os.write(out, 0, bytes);
        st.bytes += bytes;
    }

    /** Fisher-Yates: every order of the block equally likely (up to the generator's quality). */
    static void shuffle(int[] a, int len, Keyed.Stream rnd) {
        for (int i = len - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private void ensure(int n) {
        if (amounts.length < n) {
            int size = (int) Math.max(n, Math.min(Integer.MAX_VALUE - 8, 2L * amounts.length));
            amounts = java.util.Arrays.copyOf(amounts, size);
            labels = java.util.Arrays.copyOf(labels, size);
            order = new int[size];
        }
    }

    static long countCongruent(long from, long to, long residue, long m) {
        return Math.floorDiv(to - 1 - residue, m) - Math.floorDiv(from - 1 - residue, m);
    }

    /** Counts kept while writing: the manifest is what was written, not what was planned. */
    private static final class State {
        final KeyAllotment.Cursor cursor;
        final MessageDigest digest = EnvelopeFiles.sha256();
        final int firstKey;
        final long[] keyAmounts;
        final int[] batchSlot;
        final long[] batchCounts;
        final long[] batchAmounts;
        final int minBatch;
        OutputStream os;
        long records;
        long amount;
        long bytes;

        State(FileTask task) {
            firstKey = task.firstKeyId;
            int keys = Math.max(0, task.keyCount());
            keyAmounts = new long[keys];
            cursor = keys == 0 ? null : new KeyAllotment(task.keyCapFen).cursor(task.firstKeyId, task.lastKeyId);
            int min = Integer.MAX_VALUE;
            int max = 0;
            for (int b : task.batchIds) {
                min = Math.min(min, b);
                max = Math.max(max, b);
            }
            minBatch = task.batchIds.length == 0 ? 0 : min;
            batchSlot = new int[task.batchIds.length == 0 ? 0 : max - min + 1];
            java.util.Arrays.fill(batchSlot, -1);
            for (int i = 0; i < task.batchIds.length; i++) {
                batchSlot[task.batchIds[i] - minBatch] = i;
            }
            batchCounts = new long[task.batchIds.length];
            batchAmounts = new long[task.batchIds.length];
        }

        void count(int key, int batch, long fen) {
            keyAmounts[key - firstKey] += fen;
            int i = batchSlot[batch - minBatch];
            batchCounts[i]++;
            batchAmounts[i] += fen;
            records++;
            amount += fen;
        }

        FileResult result(FileTask task) {
            int used = 0;
            for (long a : keyAmounts) {
                if (a > 0) {
                    used++;
                }
            }
            int[] ids = new int[used];
            long[] amounts = new long[used];
            for (int k = 0, u = 0; k < keyAmounts.length; k++) {
                if (keyAmounts[k] > 0) {
                    ids[u] = firstKey + k;
                    amounts[u++] = keyAmounts[k];
                }
            }
            return new FileResult(
                    task.order,
                    task.variant,
                    task.slotId,
                    task.shard,
                    task.fileName,
                    records,
                    amount,
                    ids,
                    amounts,
                    task.batchIds.clone(),
                    batchCounts,
                    batchAmounts,
                    EnvelopeFiles.format(digest.digest()),
                    bytes);
        }
    }
}
