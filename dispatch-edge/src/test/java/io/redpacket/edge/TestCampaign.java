package io.redpacket.edge;

import io.redpacket.avro.Allocation;
import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.BatchSummary;
import io.redpacket.avro.EnvelopeType;
import io.redpacket.avro.FileManifest;
import io.redpacket.avro.FundingPlan;
import io.redpacket.avro.Slot;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.envelope.TicketSealer;
import io.redpacket.io.AvroFiles;
import io.redpacket.io.CampaignLayout;
import io.redpacket.io.EnvelopeFiles;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import io.redpacket.session.SessionSigner;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A small generated variant directory laid out exactly as {@link CampaignLayout} says, built with the schemas API
 * (what generation-batch writes): slots of one minute from {@link #T0}, each sponsor one batch per slot, records
 * shuffled over the shards. Keeps the true amount of every envelope id for the tests' assertions.
 */
public final class TestCampaign {
    public static final long T0 = 1_800_000_000_000L;
    public static final long SLOT_MS = 60_000;
    public static final char[] PASSWORD = "test-password".toCharArray();
    static final int KEYS = 4;
    /** Where the test session keys live (the edges' --session-ring). */
    public static final String SESSION_RING = "keys/session-ring.p12";

    public final Path dir;
    public final KeyRing ring;
    /** Session keys 1 and 2 (rotated once: key 2 signs). */
    public final KeyRing sessionRing = KeyRing.generateSessionRing(new SecureRandom()).withRotatedSessionKey(new SecureRandom());
    private final ThreadLocal<SessionSigner> signer = ThreadLocal.withInitial(() -> new SessionSigner(sessionRing));
    public final List<String> slotIds = new ArrayList<>();
    public final List<BatchConfig> batches = new ArrayList<>();
    public final Map<Long, Long> amountById = new HashMap<>();
    public final Map<Long, Integer> keyById = new HashMap<>();
    public final Map<String, Long> recordsPerFile = new HashMap<>();
    public final Map<Long, String> fileOfId = new HashMap<>();
    public long totalEnvelopes;

    private TestCampaign(Path dir, KeyRing ring) {
        this.dir = dir;
        this.ring = ring;
    }

    /** {@code slots} slots x {@code shards} shards; each sponsor gets {@code perBatch} envelopes per slot. */
    public static TestCampaign create(Path dir, int slots, int shards, int sponsors, int perBatch) throws IOException {
        return create(dir, slots, shards, sponsors, perBatch, true);
    }

    /** {@code track}: keep per-envelope truth (amount, key, file) for assertions; off for benchmark-sized campaigns. */
    public static TestCampaign create(Path dir, int slots, int shards, int sponsors, int perBatch, boolean track) throws IOException {
        return create(dir, slots, shards, sponsors, perBatch, track, SLOT_MS);
    }

    public static TestCampaign create(Path dir, int slots, int shards, int sponsors, int perBatch, boolean track, long slotMs) throws IOException {
        Random rnd = new Random(42);
        KeyRing ring = KeyRing.generate(KEYS, new SecureRandom());
        TestCampaign c = new TestCampaign(dir, ring);
        TicketSealer sealer = new TicketSealer(ring);
        List<Slot> slotList = new ArrayList<>();
        List<Allocation> allocations = new ArrayList<>();
        List<FileManifest> manifests = new ArrayList<>();
        long nextId = 1000;
        int batchId = 1;
        Map<byte[], Long> idOf = new java.util.IdentityHashMap<>();
        for (int s = 0; s < slots; s++) {
            String slotId = "s" + (s + 1);
            c.slotIds.add(slotId);
            slotList.add(new Slot(slotId, T0 + s * slotMs, T0 + (s + 1) * slotMs));
            List<byte[]> records = new ArrayList<>();
            for (int p = 0; p < sponsors; p++) {
                String sponsor = "sp" + (p + 1);
                int keyId = batchId % KEYS + 1;
                long total = 0;
                long first = nextId;
                for (int i = 0; i < perBatch; i++) {
                    long amount = 100 + rnd.nextInt(900);
                    long id = nextId++;
                    byte[] rec = new byte[EnvelopeLayout.RECORD_BYTES];
                    sealer.seal(id, amount, batchId, keyId, rec, 0);
                    records.add(rec);
                    if (track) {
                        c.amountById.put(id, amount);
                        c.keyById.put(id, keyId);
                        idOf.put(rec, id);
                    }
                    total += amount;
                }
                EnvelopeType type = EnvelopeType.values()[p % EnvelopeType.values().length];
                c.batches.add(BatchConfig.newBuilder().setBatchId(batchId).setCampaignId("c1").setVariant("v1").setSlotId(slotId)
                        .setSponsorId(sponsor).setSponsorName("Sponsor " + (p + 1)).setPaymentOrder("po-" + batchId)
                        .setEnvelopeAccount("acct-" + sponsor).setType(type).setChannel("cash").setCount(perBatch).setTotalFen(total)
                        .setMinFen(100).setMaxFen(999).setFirstEnvelopeId(first).build());
                allocations.add(Allocation.newBuilder().setSlotId(slotId).setSponsorId(sponsor).setType(type).setTotalFen(total)
                        .setCount(perBatch).setMinFen(100).setMaxFen(999).setChannel("cash").build());
                batchId++;
            }
            Collections.shuffle(records, rnd);
            for (int shard = 0; shard < shards; shard++) {
                String rel = CampaignLayout.envelopeFile(slotId, shard);
                Path file = dir.resolve(rel);
                Files.createDirectories(file.getParent());
                List<byte[]> mine = new ArrayList<>();
                for (int i = shard; i < records.size(); i += shards) {
                    mine.add(records.get(i));
                    if (track) {
                        c.fileOfId.put(idOf.get(records.get(i)), slotId + "/" + shard);
                    }
                }
                byte[] bytes = new byte[mine.size() * EnvelopeLayout.RECORD_BYTES];
                for (int i = 0; i < mine.size(); i++) {
                    System.arraycopy(mine.get(i), 0, bytes, i * EnvelopeLayout.RECORD_BYTES, EnvelopeLayout.RECORD_BYTES);
                }
                Files.write(file, bytes);
                c.recordsPerFile.put(slotId + "/" + shard, (long) mine.size());
                c.totalEnvelopes += mine.size();
                manifests.add(FileManifest.newBuilder().setCampaignId("c1").setVariant("v1").setSlotId(slotId).setShard(shard)
                        .setFileName(rel).setRecordCount(mine.size()).setAmountFen(0).setKeyIds(List.of(1, 2, 3, 4))
                        .setBatches(List.<BatchSummary>of()).setChecksum(EnvelopeFiles.checksum(file)).build());
            }
        }
        AvroFiles.writeAll(dir.resolve(CampaignLayout.PLAN),
                List.of(FundingPlan.newBuilder().setCampaignId("c1").setVariant("v1").setSlots(slotList).setAllocations(allocations).build()),
                FundingPlan.getClassSchema());
        AvroFiles.writeAll(dir.resolve(CampaignLayout.BATCHES), c.batches, BatchConfig.getClassSchema());
        AvroFiles.writeAll(dir.resolve(CampaignLayout.MANIFESTS), manifests, FileManifest.getClassSchema());
        KeyRingStore.save(ring, CampaignLayout.openRing(dir), PASSWORD, 1000);
        KeyRingStore.save(ring.tokenOnly(), CampaignLayout.tokenRing(dir), PASSWORD, 1000);
        KeyRingStore.save(c.sessionRing, c.sessionRingFile(), PASSWORD, 1000);
        return c;
    }

    public Path sessionRingFile() {
        return dir.resolve(SESSION_RING);
    }

    /** The device every test user logs in from. */
    public static String device(String user) {
        return "dev-" + user;
    }

    /** A session of {@code user} on {@link #device}, issued a second before the campaign starts, valid 20 hours. */
    public String session(String user) {
        return signer.get().sign(user, device(user), T0 - 1000, 20 * 3600);
    }

    /** The Authorization header value of {@code user}'s session. */
    public String auth(String user) {
        return "Session " + session(user);
    }

    public long slotStart(int slotIndex) {
        return T0 + slotIndex * SLOT_MS;
    }

    public Path file(String slotId, int shard) {
        return dir.resolve(CampaignLayout.envelopeFile(slotId, shard));
    }

    /** Flips one ticket byte of a record, so its header checksum fails (the manifest checksum must be ignored). */
    public void corrupt(String slotId, int shard, long recordIndex) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file(slotId, shard).toFile(), "rw")) {
            long pos = recordIndex * EnvelopeLayout.RECORD_BYTES + EnvelopeLayout.TICKET_OFFSET + 3;
            f.seek(pos);
            int b = f.read();
            f.seek(pos);
            f.write(b ^ 0x5A);
        }
    }
}
