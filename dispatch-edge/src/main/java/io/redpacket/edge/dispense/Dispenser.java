package io.redpacket.edge.dispense;

import io.redpacket.avro.FileManifest;
import io.redpacket.avro.Slot;
import io.redpacket.edge.metrics.EdgeMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the time axis and hands out envelope records from the files this edge owns in the running slot
 * (see {@link ShardTable}), round-robin over its shards so every shard's sponsor mix is served. Files are
 * opened (checked against the manifest, mapped) once per process, when their slot first runs or ahead of it
 * via {@link #prepare}; each has exactly one {@link ReservedCursor} for the life of the process (kept even after
 * its slot ends, so a countdown shifted back can never open a second cursor on it). When a slot ends, what was
 * not dispensed from its files is refunded by reconciliation; the mappings cost page cache only.
 */
public final class Dispenser {
    private static final Logger LOG = LoggerFactory.getLogger(Dispenser.class);
    /** Records drawn but not given (their sponsor was already won by the user) wait here for the next user. */
    static final int RETURNS_CAPACITY = 4096;

    /** Persists cursor reservations ahead of need, off the event loops (one thread: fsyncs are serial anyway). */
    private static final java.util.concurrent.ExecutorService PREFETCH =
            java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "edge-cursor-prefetch");
                t.setDaemon(true);
                return t;
            });

    private record Active(int slot, int version, ShardDispenser[] shards, AtomicInteger roundRobin) {}

    private record Returned(int slot, byte[] record) {}

    private final Campaign campaign;
    private final SlotSchedule schedule;
    private final ShardTable table;
    private final int edgeId;
    private final Path cursorDir;
    private final int reservationBlock;
    private final boolean verifyChecksums;
    private final EdgeMetrics metrics;
    private final Map<String, ShardDispenser> files = new ConcurrentHashMap<>();
    private final Set<String> unusable = ConcurrentHashMap.newKeySet();
    // Lock-free: peeked on every shake from every event loop. Bounded by the counter, not the queue.
    private final ConcurrentLinkedQueue<Returned> returns = new ConcurrentLinkedQueue<>();
    private final AtomicInteger returnsSize = new AtomicInteger();
    private volatile Active active;

    public Dispenser(
            Campaign campaign,
            SlotSchedule schedule,
            ShardTable table,
            int edgeId,
            Path stateDir,
            int reservationBlock,
            boolean verifyChecksums,
            EdgeMetrics metrics) {
        this.campaign = campaign;
        this.schedule = schedule;
        this.table = table;
        this.edgeId = edgeId;
        this.cursorDir = stateDir.resolve("cursors");
        this.reservationBlock = reservationBlock;
        this.verifyChecksums = verifyChecksums;
        this.metrics = metrics;
    }

    /**
     * Copies the next record of the slot running at {@code nowMs} into {@code out}; returns the slot index,
     * or -1 when no slot runs or this edge's files for it are used up. {@code takeReturned}: may serve a record
     * another user could not take (false on a retry, so one unwanted record is not drawn again and again).
     */
    public int next(long nowMs, byte[] out, boolean takeReturned) {
        Active a = active(nowMs);
        if (a == null) {
            return -1;
        }
        Returned r = !takeReturned || returns.peek() == null ? null : returns.poll();
        if (r != null) {
            returnsSize.decrementAndGet();
            if (r.slot == a.slot) {
                System.arraycopy(r.record, 0, out, 0, r.record.length);
                return a.slot;
            }
            metrics.refunded.increment();
        }
        ShardDispenser[] shards = a.shards;
        int n = shards.length;
        if (n == 0) {
            return -1;
        }
        int start = Math.floorMod(a.roundRobin.getAndIncrement(), n);
        for (int i = 0; i < n; i++) {
            ShardDispenser d = shards[(start + i) % n];
            if (!d.exhausted() && d.next(out, 0)) {
                return a.slot;
            }
        }
        return -1;
    }

    /** Puts back a drawn record no one received; dropped (refunded) when the queue is full. */
    public void giveBack(int slot, byte[] record) {
        if (returnsSize.incrementAndGet() > RETURNS_CAPACITY) {
            returnsSize.decrementAndGet();
            metrics.refunded.increment();
            return;
        }
        returns.add(new Returned(slot, record.clone()));
    }

    private Active active(long nowMs) {
        int slot = schedule.slotAt(nowMs);
        if (slot < 0) {
            return null;
        }
        Active a = active;
        if (a != null && a.slot == slot && a.version == table.version()) {
            return a;
        }
        return activate(slot);
    }

    private synchronized Active activate(int slot) {
        int version = table.version();
        Active a = active;
        if (a != null && a.slot == slot && a.version == version) {
            return a;
        }
        List<ShardDispenser> owned = new ArrayList<>();
        for (int shard : table.shardsOf(edgeId, slot)) {
            ShardDispenser d = open(slot, shard);
            if (d != null) {
                owned.add(d);
            }
        }
        Active next = new Active(slot, version, owned.toArray(ShardDispenser[]::new), new AtomicInteger());
        active = next;
        LOG.info(
                "edge {}: slot {} ({}) dispensing from shards {}",
                edgeId,
                slot,
                schedule.slot(slot).getSlotId(),
                owned.stream().map(ShardDispenser::shard).toList());
        return next;
    }

    /** Opens this edge's files of a coming slot ahead of time, so the switch does no file work on the hot path. */
    public void prepare(int slot) {
        if (slot < 0 || slot >= schedule.size()) {
            return;
        }
        for (int shard : table.shardsOf(edgeId, slot)) {
            open(slot, shard);
        }
    }

    private ShardDispenser open(int slot, int shard) {
        Slot s = schedule.slot(slot);
        String key = Campaign.key(s.getSlotId(), shard);
        ShardDispenser d = files.get(key);
        if (d != null || unusable.contains(key)) {
            return d;
        }
        synchronized (this) {
            d = files.get(key);
            if (d != null || unusable.contains(key)) {
                return d;
            }
            FileManifest m = campaign.manifest(s.getSlotId(), shard);
            if (m == null) {
                LOG.warn(
                        "edge {}: no manifest for slot {} shard {}: nothing to dispense there",
                        edgeId,
                        s.getSlotId(),
                        shard);
                unusable.add(key);
                return null;
            }
            try {
                Path path = campaign.variantDir().resolve(m.getFileName());
                EnvelopeFile file = EnvelopeFile.open(path, m, verifyChecksums);
                Path cursorFile =
                        cursorDir.resolve("slot=" + s.getSlotId()).resolve(String.format("shard-%05d.cursor", shard));
                ReservedCursor cursor = ReservedCursor.open(cursorFile, file.recordCount(), reservationBlock, PREFETCH);
                d = new ShardDispenser(s.getSlotId(), shard, file, cursor);
                files.put(key, d);
                LOG.info(
                        "edge {}: opened {} ({} records, resuming at {})",
                        edgeId,
                        path,
                        file.recordCount(),
                        cursor.resumedAt());
                return d;
            } catch (IOException | UncheckedIOException e) {
                LOG.error(
                        "edge {}: refusing file of slot {} shard {}: {}", edgeId, s.getSlotId(), shard, e.getMessage());
                metrics.filesRejected.increment();
                unusable.add(key);
                return null;
            }
        }
    }

    /** Files opened so far (current and prepared), for metrics and tests. */
    public List<ShardDispenser> openFiles() {
        return List.copyOf(files.values());
    }

    public long cursorWaits() {
        return files.values().stream().mapToLong(d -> d.cursor().waits()).sum();
    }

    public long corruptRecords() {
        return files.values().stream().mapToLong(ShardDispenser::corruptRecords).sum();
    }

    public ShardTable table() {
        return table;
    }

    public SlotSchedule schedule() {
        return schedule;
    }
}
