package io.redpacket.reconciliation.scan;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Finds envelope ids that occur more than once in one id bucket, given every file's blob of that bucket.
 * Memory is one bit per id of the bucket ({@code 2^bucketBits / 8} bytes) plus the blobs, whatever the
 * campaign's size: buckets are the unit of parallelism.
 */
public final class DuplicateIds {
    private DuplicateIds() {}

    /** One file's ids in a bucket. */
    public record Blob(String fileName, byte[] ids) implements java.io.Serializable {}

    /** An id seen {@code occurrences} times, in these files (a file is listed once per occurrence). */
    public record Duplicate(long envelopeId, int occurrences, List<String> files) {}

    public static List<Duplicate> find(long bucket, int bucketBits, List<Blob> blobs) {
        long base = bucket << bucketBits;
        BitSet seen = new BitSet(1 << Math.min(bucketBits, 30));
        Map<Long, Integer> repeated = new HashMap<>();
        for (Blob blob : blobs) {
            IdRuns.decode(blob.ids(), base, id -> {
                int bit = (int) (id - base);
                if (seen.get(bit)) {
                    repeated.merge(id, 1, Integer::sum);
                } else {
                    seen.set(bit);
                }
            });
        }
        if (repeated.isEmpty()) {
            return List.of();
        }
        // Rare: a second pass names the files of each repeated id.
        Map<Long, List<String>> files = new TreeMap<>();
        for (Blob blob : blobs) {
            IdRuns.decode(blob.ids(), base, id -> {
                if (repeated.containsKey(id)) {
                    files.computeIfAbsent(id, k -> new ArrayList<>()).add(blob.fileName());
                }
            });
        }
        List<Duplicate> out = new ArrayList<>(files.size());
        files.forEach((id, names) -> {
            names.sort(null);
            out.add(new Duplicate(id, names.size(), List.copyOf(names)));
        });
        return out;
    }
}
