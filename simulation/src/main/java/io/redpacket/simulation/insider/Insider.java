package io.redpacket.simulation.insider;

import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.FileManifest;
import io.redpacket.avro.OpenEvent;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.envelope.EnvelopeRecord;
import io.redpacket.envelope.OpenedTicket;
import io.redpacket.envelope.TicketOpener;
import io.redpacket.envelope.TicketSealer;
import io.redpacket.io.AvroFiles;
import io.redpacket.io.CampaignLayout;
import io.redpacket.io.Topics;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import io.redpacket.open.BatchCatalog;
import io.redpacket.simulation.truth.InsiderTruth;
import io.redpacket.token.TokenSigner;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The threat the edge cannot stop: a compromised edge machine (it holds the token key and, through a leak, one
 * ticket key) or an insider writing open events straight into Kafka. It forges, tampers, replays and uses the
 * leaked key after the operators blacklisted it. Every event it sends is ground truth that must never be
 * credited; settlement must reject each with a reason and reconciliation must find no money moved for them.
 *
 * <p>What it does not do: present genuine, never-dispensed envelopes before the key is blacklisted. With the
 * token key stolen that is indistinguishable from a real open by local checks; it is left to dispense logs and
 * big-data analysis, as in the brief.
 */
public final class Insider {
    public static final int PER_KIND = 15;
    /** Every event id the insider sends starts with this: what it sent is never mistaken for the crowd's opens. */
    public static final String EVENT_PREFIX = "insider-";

    private final KeyRing ring;
    private final TokenSigner signer;
    private final TicketSealer sealer;
    private final TicketOpener opener;
    private final List<BatchConfig> batches;
    private final BatchCatalog catalog;
    private final Path variantDir;
    private final List<FileManifest> manifests;
    private final KafkaProducer<String, byte[]> producer;
    private final SplittableRandom random;
    private final int leakedKeyId;
    private final List<InsiderTruth.Row> rows = new ArrayList<>();
    private int seq;

    public Insider(Path variantDir, Path passwordFile, String bootstrap, long seed) throws IOException {
        this.variantDir = variantDir;
        this.ring = KeyRingStore.load(
                CampaignLayout.openRing(variantDir),
                Files.readString(passwordFile).trim().toCharArray());
        this.signer = new TokenSigner(ring);
        this.sealer = new TicketSealer(ring);
        this.opener = new TicketOpener(ring, new KeyBlacklist());
        this.batches = AvroFiles.readAll(variantDir.resolve(CampaignLayout.BATCHES), BatchConfig.class);
        this.catalog = BatchCatalog.of(batches);
        this.manifests = AvroFiles.readAll(variantDir.resolve(CampaignLayout.MANIFESTS), FileManifest.class);
        this.random = new SplittableRandom(seed ^ 0x1A51DE);
        // The leaked key: one used in the last slot, so its envelopes are still being opened when it is blacklisted.
        String lastSlot = manifests.stream()
                .map(FileManifest::getSlotId)
                .max(Comparator.naturalOrder())
                .orElseThrow();
        this.leakedKeyId = manifests.stream()
                .filter(m -> m.getSlotId().equals(lastSlot))
                .flatMap(m -> m.getKeyIds().stream())
                .mapToInt(Integer::intValue)
                .min()
                .orElseThrow();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    public int leakedKeyId() {
        return leakedKeyId;
    }

    /** Forgeries and tampering, while the leaked key is still trusted by the online checks. */
    public void attackBeforeBlacklist() throws IOException {
        for (int i = 0; i < PER_KIND; i++) {
            // No key at all: a made-up token.
            byte[] raw = new byte[53];
            random.nextBytes(raw);
            raw[0] = 1;
            send("FORGED_RANDOM", Base64.getUrlEncoder().withoutPadding().encodeToString(raw), account(), -1);
        }
        List<byte[]> leaked = recordsOfLeakedKey(2 * PER_KIND);
        for (int i = 0; i < PER_KIND && i < leaked.size(); i++) {
            // A genuine envelope re-sealed with a higher amount: authentic ticket, wrong money.
            OpenedTicket t = opener.open(leaked.get(i), 0);
            BatchConfig b = catalog.get(t.batchId());
            long raised = Math.min(b.getMaxFen(), t.amountFen() + Math.max(1, (b.getMaxFen() - t.amountFen()) / 2));
            if (raised == t.amountFen()) {
                raised = Math.max(b.getMinFen(), t.amountFen() - 1);
            }
            byte[] rec = new byte[EnvelopeLayout.RECORD_BYTES];
            sealer.seal(t.envelopeId(), raised, t.batchId(), leakedKeyId, rec, 0);
            String user = account();
            send("TAMPERED_AMOUNT", signer.sign(rec, 0, user, System.currentTimeMillis(), 1), user, t.envelopeId());
        }
        long beyond = batches.stream()
                        .mapToLong(b -> b.getFirstEnvelopeId() + b.getCount())
                        .max()
                        .orElse(0)
                + 1_000;
        for (int i = 0; i < PER_KIND; i++) {
            // A new envelope under the leaked key, inside a real batch's bounds but never generated.
            BatchConfig b = batches.get(random.nextInt(batches.size()));
            byte[] rec = new byte[EnvelopeLayout.RECORD_BYTES];
            sealer.seal(beyond + i, b.getMaxFen(), b.getBatchId(), leakedKeyId, rec, 0);
            String user = account();
            send("FORGED_ENVELOPE", signer.sign(rec, 0, user, System.currentTimeMillis(), 1), user, beyond + i);
        }
        producer.flush();
    }

    /** Genuine envelopes of the leaked key, presented after the operators blacklisted it. */
    public void attackAfterBlacklist() throws IOException {
        try {
            // The control topic and the opens topic are separate streams: give the blacklist a head start.
            Thread.sleep(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<byte[]> leaked = recordsOfLeakedKey(3 * PER_KIND);
        for (int i = 2 * PER_KIND; i < leaked.size(); i++) {
            OpenedTicket t = opener.open(leaked.get(i), 0);
            String user = account();
            send(
                    "BLACKLISTED_KEY",
                    signer.sign(leaked.get(i), 0, user, System.currentTimeMillis(), 1),
                    user,
                    t.envelopeId());
        }
        producer.flush();
    }

    /** Opens that were credited (up to {@link #PER_KIND}, as read from the credits topic), sent again as they were and bound to another account. */
    public void replayCredited(List<OpenEvent> credited) throws IOException {
        for (OpenEvent e : credited) {
            send("REPLAY_SAME_USER", e.getToken(), e.getUserId(), e.getEnvelopeId() == null ? -1 : e.getEnvelopeId());
            byte[] token = Base64.getUrlDecoder().decode(e.getToken());
            String other = account();
            String rebound = signer.sign(token, 1, other, System.currentTimeMillis(), 1);
            send("REPLAY_OTHER_USER", rebound, other, e.getEnvelopeId() == null ? -1 : e.getEnvelopeId());
        }
        producer.flush();
    }

    /**
     * The last {@link #LEAKED_RECORDS} records sealed with the leaked key, newest file position first: the edges
     * dispense from the start of a file, so these are the last to go out. Read once, backwards in bounded chunks.
     */
    private List<byte[]> recordsOfLeakedKey(int n) throws IOException {
        if (leakedRecords == null) {
            leakedRecords = readLeakedRecords();
        }
        return leakedRecords.subList(0, Math.min(n, leakedRecords.size()));
    }

    private static final int LEAKED_RECORDS = 3 * PER_KIND;
    private List<byte[]> leakedRecords;

    private List<byte[]> readLeakedRecords() throws IOException {
        List<byte[]> out = new ArrayList<>();
        byte[] chunk = new byte[EnvelopeLayout.RECORD_BYTES * 4096];
        for (FileManifest m : manifests) {
            if (!m.getKeyIds().contains(leakedKeyId)) {
                continue;
            }
            try (FileChannel ch = FileChannel.open(variantDir.resolve(m.getFileName()), StandardOpenOption.READ)) {
                long end = ch.size() - ch.size() % EnvelopeLayout.RECORD_BYTES;
                while (end > 0 && out.size() < LEAKED_RECORDS) {
                    long start = Math.max(0, end - chunk.length);
                    int len = (int) (end - start);
                    ByteBuffer buf = ByteBuffer.wrap(chunk, 0, len);
                    while (buf.hasRemaining()) {
                        if (ch.read(buf, start + buf.position()) < 0) {
                            break;
                        }
                    }
                    for (int off = len - EnvelopeLayout.RECORD_BYTES;
                            off >= 0 && out.size() < LEAKED_RECORDS;
                            off -= EnvelopeLayout.RECORD_BYTES) {
                        if (EnvelopeRecord.keyId(chunk, off) == leakedKeyId) {
                            out.add(java.util.Arrays.copyOfRange(chunk, off, off + EnvelopeLayout.RECORD_BYTES));
                        }
                    }
                    end = start;
                }
            }
            if (out.size() >= LEAKED_RECORDS) {
                break;
            }
        }
        return out;
    }

    private String account() {
        return "insider-acct-" + random.nextInt(1_000);
    }

    private void send(String kind, String token, String user, long envelopeId) throws IOException {
        long now = System.currentTimeMillis();
        String eventId = EVENT_PREFIX + kind.toLowerCase() + "-" + (++seq);
        OpenEvent e = OpenEvent.newBuilder()
                .setEventId(eventId)
                .setToken(token)
                .setUserId(user)
                .setDeviceId("insider-device")
                .setIp("10.66.0.1")
                .setClientVersion("insider")
                .setEdgeId(1)
                .setShakeTimeMs(now - 1_000)
                .setOpenTimeMs(now)
                .setEnvelopeId(envelopeId < 0 ? null : envelopeId)
                .build();
        try {
            producer.send(new ProducerRecord<>(
                            Topics.OPENS,
                            String.valueOf(Math.max(envelopeId, 0)),
                            e.toByteBuffer().array()))
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception ex) {
            throw new IOException("insider could not write to " + Topics.OPENS + ": " + ex, ex);
        }
        rows.add(new InsiderTruth.Row(eventId, kind, envelopeId, user));
    }

    /** What it sent; closes its producer. */
    public InsiderTruth truth() {
        producer.close();
        return new InsiderTruth(List.copyOf(rows));
    }
}
