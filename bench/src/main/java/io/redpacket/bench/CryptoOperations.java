package io.redpacket.bench;

import io.redpacket.envelope.Bytes;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.envelope.EnvelopeRecord;
import io.redpacket.envelope.OpenedTicket;
import io.redpacket.envelope.TicketOpener;
import io.redpacket.envelope.TicketPlain;
import io.redpacket.envelope.TicketSealer;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.keys.KeyRing;
import io.redpacket.open.OpenVerifier;
import io.redpacket.token.TokenSigner;
import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.params.KeyParameter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Sealing and opening, one thread (= per core), measured by JMH in operations per second: JCE (AES-NI through
 * HotSpot intrinsics) against BouncyCastle's AES engine and against the naive per-ticket cipher set-up. Each
 * invocation handles {@link #N} envelopes (the naive baseline {@link #NAIVE}); {@code @OperationsPerInvocation} makes
 * the score per envelope.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CryptoOperations {
    static final int N = 1 << 20;
    static final int CHUNK = 4096;
    static final int NAIVE = N / 16;
    static final int TOKENS = 1 << 17;

    private final KeyRing ring = KeyRing.generate(16, new SecureRandom());
    private final long[] ids = new long[N];
    private final long[] amounts = new long[N];
    private final int[] batches = new int[N];
    private final byte[] records = new byte[N * EnvelopeLayout.RECORD_BYTES];
    private final byte[] scratch = new byte[N * EnvelopeLayout.RECORD_BYTES];
    private final String[] tokens = new String[TOKENS];
    private TicketSealer sealer;
    private TicketOpener opener;
    private OpenVerifier verifier;
    private final BlockCipher[] bcEncrypt = new BlockCipher[17];
    private final BlockCipher[] bcDecrypt = new BlockCipher[17];

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < N; i++) {
            ids[i] = i;
            amounts[i] = 1 + r.nextInt(20_000);
            batches[i] = 1 + r.nextInt(5_000);
        }
        sealer = new TicketSealer(ring);
        for (int from = 0; from < N; from += CHUNK) {
            sealer.sealBulk(
                    keyOf(from), ids, amounts, batches, from, CHUNK, records, from * EnvelopeLayout.RECORD_BYTES);
        }
        opener = new TicketOpener(ring, KeyBlacklist.of(16));
        TokenSigner signer = new TokenSigner(ring);
        for (int i = 0; i < TOKENS; i++) {
            tokens[i] = signer.sign(records, i * EnvelopeLayout.RECORD_BYTES, "user-" + (i % 1000), 1_000L, 1);
        }
        verifier = new OpenVerifier(ring, new KeyBlacklist(), null, 0);
        for (int k = 1; k <= 16; k++) {
            bcEncrypt[k] = AESEngine.newInstance();
            bcEncrypt[k].init(true, new KeyParameter(ring.ticketKey(k).getEncoded()));
            bcDecrypt[k] = AESEngine.newInstance();
            bcDecrypt[k].init(false, new KeyParameter(ring.ticketKey(k).getEncoded()));
        }
    }

    private static int keyOf(int i) {
        return 1 + (i / CHUNK) % 16;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public byte sealBulkJce() {
        for (int from = 0; from < N; from += CHUNK) {
            sealer.sealBulk(
                    keyOf(from), ids, amounts, batches, from, CHUNK, scratch, from * EnvelopeLayout.RECORD_BYTES);
        }
        return scratch[7];
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public byte sealSingleJce() {
        for (int i = 0; i < N; i++) {
            sealer.seal(ids[i], amounts[i], batches[i], keyOf(i), scratch, i * EnvelopeLayout.RECORD_BYTES);
        }
        return scratch[7];
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public byte sealBulkBouncyCastle() {
        byte[] block = new byte[16];
        for (int i = 0; i < N; i++) {
            int key = keyOf(i);
            int off = i * EnvelopeLayout.RECORD_BYTES;
            Bytes.putLong(block, 0, TicketPlain.hi(ids[i], amounts[i]));
            Bytes.putLong(block, 8, TicketPlain.lo(batches[i], key));
            bcEncrypt[key].processBlock(block, 0, scratch, off + EnvelopeLayout.TICKET_OFFSET);
            EnvelopeRecord.writeHeader(scratch, off, key, batches[i]);
            EnvelopeRecord.writeChecksum(scratch, off);
        }
        return scratch[7];
    }

    @Benchmark
    @OperationsPerInvocation(NAIVE)
    public long sealNaive() throws Exception {
        byte[] block = new byte[16];
        byte[] out = new byte[16];
        long acc = 0;
        for (int i = 0; i < NAIVE; i++) {
            Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, ring.ticketKey(1 + i % 16));
            Bytes.putLong(block, 0, TicketPlain.hi(ids[i], amounts[i]));
            Bytes.putLong(block, 8, TicketPlain.lo(batches[i], 1 + i % 16));
            c.doFinal(block, 0, 16, out, 0);
            acc += out[3];
        }
        return acc;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long openJce() {
        long acc = 0;
        for (int i = 0; i < N; i++) {
            OpenedTicket t = opener.open(records, i * EnvelopeLayout.RECORD_BYTES);
            acc += t.isValid() ? t.amountFen() : 1;
        }
        return acc;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long openBouncyCastle() {
        byte[] block = new byte[16];
        long acc = 0;
        for (int i = 0; i < N; i++) {
            int off = i * EnvelopeLayout.RECORD_BYTES;
            if (!EnvelopeRecord.checksumOk(records, off)) {
                continue;
            }
            int key = EnvelopeRecord.keyId(records, off);
            bcDecrypt[key].processBlock(records, off + EnvelopeLayout.TICKET_OFFSET, block, 0);
            long lo = Bytes.getLong(block, 8);
            if (TicketPlain.integrityTag(lo) == EnvelopeLayout.INTEGRITY_TAG && TicketPlain.keyId(lo) == key) {
                acc += TicketPlain.amountFen(Bytes.getLong(block, 0));
            }
        }
        return acc;
    }

    @Benchmark
    @OperationsPerInvocation(TOKENS)
    public long tokenVerifyAndOpen() {
        long acc = 0;
        for (int i = 0; i < TOKENS; i++) {
            acc += verifier.verify(tokens[i], "user-" + (i % 1000), 2_000L).isValid() ? 1 : 0;
        }
        return acc;
    }
}
