package io.redpacket.edge.dispense;

import io.redpacket.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands out record indexes of one envelope file, each at most once, even across a crash and restart.
 *
 * <p>Before an index is handed out, a reservation covering it is durable on disk: the cursor file says
 * {@code next=N}, meaning "indexes below N may have been handed out". It is written ahead in blocks (write
 * temp, fsync, rename, fsync directory), so the hot path touches the disk once per block. A restart resumes at
 * the persisted N: the unused rest of the reservation is never dispensed; generation's envelopes that are never
 * opened are refunded by reconciliation, so the gap costs nothing but a refund.
 *
 * <p>With a prefetch executor, the reservation is kept one full block ahead of the cursor by a background thread,
 * so the hot path (an event loop) does not wait for an fsync, even a slow one (a block at 70,000 shakes/s is
 * 140 ms of slack); the restart gap is then at most two blocks.
 * Without one, the taker that crosses a block boundary persists the next block itself (at most one block gap).
 */
public final class ReservedCursor {
    public static final String PREFIX = "next=";

    private final Path file;
    private final long limit;
    private final int block;
    private final long resumedAt;
    private final AtomicLong next;
    private final Executor prefetch;
    private final AtomicBoolean prefetching = new AtomicBoolean();
    private final java.util.concurrent.atomic.LongAdder waits = new java.util.concurrent.atomic.LongAdder();
    private volatile long reservedUpTo;

    private ReservedCursor(Path file, long limit, int block, long start, Executor prefetch) {
        this.file = file;
        this.limit = limit;
        this.block = block;
        this.resumedAt = start;
        this.next = new AtomicLong(start);
        this.reservedUpTo = start;
        this.prefetch = prefetch;
    }

    /** Opens the cursor of a file with {@code recordCount} records, resuming from its persisted reservation. */
    public static ReservedCursor open(Path cursorFile, long recordCount, int block) throws IOException {
        return open(cursorFile, recordCount, block, null);
    }

    /** @param prefetch where the next block is reserved ahead of need; null to reserve only when needed */
    public static ReservedCursor open(Path cursorFile, long recordCount, int block, Executor prefetch)
            throws IOException {
        if (block < 1) {
            throw new IllegalArgumentException("reservation block " + block + " (must be >= 1)");
        }
        long start = 0;
        if (Files.exists(cursorFile)) {
            String text =
                    Files.readString(cursorFile, StandardCharsets.US_ASCII).trim();
            if (!text.startsWith(PREFIX)) {
                throw new IOException(cursorFile + ": line 1: expected '" + PREFIX + "<index>', found '" + text + "'");
            }
            try {
                start = Long.parseLong(text.substring(PREFIX.length()));
            } catch (NumberFormatException e) {
                throw new IOException(
                        cursorFile + ": line 1: next: '" + text.substring(PREFIX.length()) + "' is not a record index");
            }
            if (start < 0) {
                throw new IOException(cursorFile + ": line 1: next: " + start + " is negative");
            }
        }
        return new ReservedCursor(cursorFile, recordCount, block, Math.min(start, recordCount), prefetch);
    }

    /** The next index to dispense, or -1 when the file is used up. */
    public long take() {
        long idx = next.getAndIncrement();
        if (idx >= limit) {
            return -1;
        }
        long reserved = reservedUpTo;
        if (idx >= reserved) {
            waits.increment();
            reserve(idx);
        } else if (prefetch != null
                && reserved < limit
                && idx >= reserved - block
                && prefetching.compareAndSet(false, true)) {
            try {
                prefetch.execute(() -> {
                    try {
                        reserve(Math.max(reserved, idx + block));
                    } catch (UncheckedIOException e) {
                        // The taker that needs the block retries the write and reports the failure.
                    } finally {
                        prefetching.set(false);
                    }
                });
            } catch (RuntimeException e) {
                prefetching.set(false);
            }
        }
        return idx;
    }

    private synchronized void reserve(long idx) {
        while (idx >= reservedUpTo) {
            long upTo = Math.min(limit, reservedUpTo + block);
            persist(upTo);
            reservedUpTo = upTo;
        }
    }

    private void persist(long upTo) {
        try {
            AtomicFiles.write(file, tmp -> {
                try (FileChannel ch =
                        FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    ch.write(ByteBuffer.wrap((PREFIX + upTo + "\n").getBytes(StandardCharsets.US_ASCII)));
                    ch.force(true);
                }
            });
            // The rename itself must be durable too, or a crash could bring back the previous reservation.
            try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException ignored) {
                // Some file systems refuse fsync on a directory; the data file itself is synced.
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot persist dispense cursor " + file, e);
        }
    }

    /** Where this process started: indexes below it were dispensed or abandoned by an earlier run. */
    public long resumedAt() {
        return resumedAt;
    }

    /** Takes that had to wait for a reservation to be written (with prefetch: the disk did not keep up). */
    public long waits() {
        return waits.sum();
    }

    public long reservedUpTo() {
        return reservedUpTo;
    }

    /** Indexes handed out by this process so far (never above the file's size). */
    public long handedOut() {
        return Math.min(next.get(), limit) - resumedAt;
    }

    public boolean exhausted() {
        return next.get() >= limit;
    }

    public long limit() {
        return limit;
    }
}
