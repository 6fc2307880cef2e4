package io.redpacket.reconciliation.scan;

import java.io.ByteArrayOutputStream;
import java.util.function.LongConsumer;

/**
 * Sorted envelope ids of one bucket as a compact blob: the first id's offset from the bucket base, then the gaps,
 * each as an unsigned LEB128 varint. A file holding 1/k of a slot's ids has gaps around k, so an id costs one or
 * two bytes instead of eight; this is what makes the global uniqueness check cheap to shuffle. A gap of zero is
 * a duplicate inside one file.
 */
public final class IdRuns {
    private IdRuns() {}

    /** Encodes {@code ids[from..to)}, which must be sorted and all at least {@code base}. */
    public static byte[] encode(long[] ids, int from, int to, long base) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(16, (to - from) * 2));
        long previous = base;
        for (int i = from; i < to; i++) {
            long gap = ids[i] - previous;
            if (gap < 0) {
                throw new IllegalArgumentException(
                        "ids not sorted at index " + i + ": " + ids[i] + " after " + previous);
            }
            writeVarint(out, gap);
            previous = ids[i];
        }
        return out.toByteArray();
    }

    public static void decode(byte[] blob, long base, LongConsumer ids) {
        long previous = base;
        int pos = 0;
        while (pos < blob.length) {
            long value = 0;
            int shift = 0;
            byte b;
            do {
                b = blob[pos++];
                value |= (long) (b & 0x7F) << shift;
                shift += 7;
            } while (b < 0);
            previous += value;
            ids.accept(previous);
        }
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }
}
