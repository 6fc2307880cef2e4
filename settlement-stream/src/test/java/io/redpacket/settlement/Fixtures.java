package io.redpacket.settlement;

import io.redpacket.avro.OpenEvent;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.envelope.TicketSealer;
import io.redpacket.io.AvroTrust;
import io.redpacket.keys.KeyRing;
import io.redpacket.testkit.GeneratedCampaign;
import io.redpacket.token.TokenSigner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A small campaign for tests, made by the real generator (testkit's {@link GeneratedCampaign}): six sponsors (five
 * on the unshaped "cash" channel, s5 on the "coupon" channel), s6 alone in a second slot so that its ticket keys
 * seal nothing else ({@link #keyOfS6}), two shuffled envelope files per slot. Plus helpers to build the open events
 * an edge would publish.
 */
public final class Fixtures {
    static {
        // tests decode Avro too, and run without the allow-list flag, as a TaskManager does
        AvroTrust.install();
    }

    public static final char[] PASSWORD = "test-password".toCharArray();
    /** The campaign runs now: settlement stops crediting once its retention has ended. */
    public static final long START_MS = System.currentTimeMillis() - 600_000L;

    public static final long END_MS = START_MS + 3_600_000L;

    /** Sponsors s1..s5 in the first half hour; s6 alone in the second, so its ticket keys are its own (blacklist tests). */
    public static final List<GeneratedCampaign.Line> LINES = List.of(
            new GeneratedCampaign.Line("s1", "cash", 40, 100, 500),
            new GeneratedCampaign.Line("s2", "cash", 40, 100, 500),
            new GeneratedCampaign.Line("s3", "cash", 40, 100, 500),
            new GeneratedCampaign.Line("s4", "cash", 40, 100, 500),
            new GeneratedCampaign.Line("s5", "coupon", 400, 1, 99),
            new GeneratedCampaign.Line("s6", "cash", 40, 100, 500));

    private Fixtures() {}

    /** Made by the real generator: ids are contiguous from 0 in line order ({@link #envelope}). */
    public static GeneratedCampaign campaign(Path dir) throws IOException {
        return GeneratedCampaign.builder()
                .slotLines(List.of(LINES.subList(0, 5), LINES.subList(5, 6)))
                .shards(2)
                .startMs(START_MS)
                .slotMs((END_MS - START_MS) / 2)
                .password(PASSWORD)
                .seed(42)
                .build(dir);
    }

    /** The key that sealed sponsor s6's first envelope: never one of s1..s5's. */
    public static int keyOfS6(GeneratedCampaign c) {
        return c.keyId(envelope(5, 0));
    }

    /** Settings of the operators for a campaign written by {@link #campaign}. */
    public static io.redpacket.settlement.Settings settings(
            GeneratedCampaign c,
            Path passwordFile,
            long retainUntilMs,
            Map<String, Long> limits,
            int shards,
            int... blacklist) {
        return new io.redpacket.settlement.Settings(
                c.dir.toUri().toString(),
                passwordFile.toUri().toString(),
                600_000,
                blacklist,
                retainUntilMs,
                limits,
                0,
                shards,
                0);
    }

    public static Path passwordFile(Path dir) throws IOException {
        Path p = dir.resolve("password.txt");
        Files.writeString(p, new String(PASSWORD) + "\n");
        return p;
    }

    /** Envelope id of the k-th envelope of sponsor line i (0-based). */
    public static long envelope(int line, int k) {
        long first = 0;
        for (int i = 0; i < line; i++) {
            first += LINES.get(i).count();
        }
        return first + k;
    }

    public static String token(GeneratedCampaign c, long envelopeId, String userId, long shakeMs) {
        return new TokenSigner(c.ring).sign(c.record(envelopeId), 0, userId, shakeMs, 7);
    }

    /** A token over a record the caller built (a forgery with a leaked key, a re-sealed amount, ...). */
    public static String token(KeyRing ring, byte[] record, String userId, long shakeMs) {
        return new TokenSigner(ring).sign(record, 0, userId, shakeMs, 7);
    }

    /** The same envelope id re-sealed by someone holding the key, with another amount. */
    public static byte[] resealed(GeneratedCampaign c, long envelopeId, long amountFen) {
        byte[] rec = new byte[EnvelopeLayout.RECORD_BYTES];
        new TicketSealer(c.ring).seal(envelopeId, amountFen, c.batchId(envelopeId), c.keyId(envelopeId), rec, 0);
        return rec;
    }

    public static byte[] record(GeneratedCampaign c, long envelopeId) {
        return c.record(envelopeId);
    }

    public static OpenEvent open(String eventId, String token, String userId, long openMs) {
        return OpenEvent.newBuilder()
                .setEventId(eventId)
                .setToken(token)
                .setUserId(userId)
                .setDeviceId("dev-" + userId)
                .setIp("10.0.0.1")
                .setClientVersion("8.0")
                .setEdgeId(7)
                .setShakeTimeMs(openMs - 1_000)
                .setOpenTimeMs(openMs)
                .build();
    }

    public static Map<String, Long> noLimits() {
        return Map.of();
    }
}
