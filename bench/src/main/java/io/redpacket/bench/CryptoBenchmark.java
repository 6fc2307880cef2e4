package io.redpacket.bench;

import io.redpacket.envelope.Bytes;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.envelope.OpenedTicket;
import io.redpacket.envelope.TicketOpener;
import io.redpacket.envelope.TicketPlain;
import io.redpacket.envelope.TicketSealer;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.keys.KeyRing;
import io.redpacket.open.OpenVerifier;
import io.redpacket.token.TokenSigner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import javax.crypto.Cipher;
import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.params.KeyParameter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Sealing and opening throughput on one thread (= per core), JCE (AES-NI through HotSpot intrinsics) against
 * BouncyCastle's AES engine and against the naive per-ticket cipher set-up, all in the same run.
 */
@Command(name = "crypto", mixinStandardHelpOptions = true, description = "Tickets sealed/s in bulk and opened/s singly, per core.")
final class CryptoBenchmark implements Callable<Integer> {
    @Option(names = "--envelopes", defaultValue = "4000000", description = "Envelopes per measured round (default ${DEFAULT-VALUE}).")
    int envelopes;

    @Option(names = "--rounds", defaultValue = "5", description = "Measured rounds; the median is reported (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--chunk", defaultValue = "4096", description = "Envelopes per bulk sealing call (default ${DEFAULT-VALUE}).")
    int chunk;

    private final KeyRing ring = KeyRing.generate(16, new SecureRandom());
    private long sink;

    @Override
    public Integer call() throws Exception {
        System.out.printf("crypto benchmark: %d envelopes x %d rounds, 1 thread; %s; %s%n", envelopes, rounds, cpu(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        int n = envelopes;
        long[] ids = new long[n];
        long[] amounts = new long[n];
        int[] batches = new int[n];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < n; i++) {
            ids[i] = i;
            amounts[i] = 1 + r.nextInt(20_000);
            batches[i] = 1 + r.nextInt(5_000);
        }
        byte[] records = new byte[n * EnvelopeLayout.RECORD_BYTES];
        TicketSealer sealer = new TicketSealer(ring);

        double bulk = measure("seal, bulk (JCE, chunks of " + chunk + ")", n, () -> {
            for (int from = 0; from < n; from += chunk) {
                sealer.sealBulk(1 + (from / chunk) % 16, ids, amounts, batches, from, Math.min(chunk, n - from), records,
                        from * EnvelopeLayout.RECORD_BYTES);
            }
            return records[7];
        });
        double single = measure("seal, one call per ticket (JCE)", n, () -> {
            for (int i = 0; i < n; i++) {
                sealer.seal(ids[i], amounts[i], batches[i], 1 + (i / chunk) % 16, records, i * EnvelopeLayout.RECORD_BYTES);
            }
            return records[7];
        });
        double bcBulk = measure("seal, bulk (BouncyCastle AESEngine)", n, () -> bcSeal(ids, amounts, batches, records));
        double naive = measure("seal, naive: Cipher.getInstance+init per ticket", n / 10, () -> naiveSeal(ids, amounts, batches, n / 10));

        // Re-seal so every record is valid for the open benchmarks.
        for (int from = 0; from < n; from += chunk) {
            sealer.sealBulk(1 + (from / chunk) % 16, ids, amounts, batches, from, Math.min(chunk, n - from), records,
                    from * EnvelopeLayout.RECORD_BYTES);
        }
        TicketOpener opener = new TicketOpener(ring, KeyBlacklist.of(16));
        double open = measure("open+verify, single ticket (JCE)", n, () -> {
            long acc = 0;
            for (int i = 0; i < n; i++) {
                OpenedTicket t = opener.open(records, i * EnvelopeLayout.RECORD_BYTES);
                acc += t.isValid() ? t.amountFen() : 1;
            }
            return acc;
        });
        double bcOpen = measure("open+verify, single ticket (BouncyCastle)", n, () -> bcOpen(records, n));

        int tokens = Math.min(n, 1_000_000);
        String[] tokenStrings = new String[tokens];
        TokenSigner signer = new TokenSigner(ring);
        for (int i = 0; i < tokens; i++) {
            tokenStrings[i] = signer.sign(records, i * EnvelopeLayout.RECORD_BYTES, "user-" + (i % 1000), 1_000L, 1);
        }
        OpenVerifier verifier = new OpenVerifier(ring, new KeyBlacklist(), null, 0);
        double tokenOpen = measure("token verify (HMAC-SHA256) + open, single", tokens, () -> {
            long acc = 0;
            for (int i = 0; i < tokens; i++) {
                acc += verifier.verify(tokenStrings[i], "user-" + (i % 1000), 2_000L).isValid() ? 1 : 0;
            }
            return acc;
        });

        System.out.println();
        System.out.printf("RESULT seal bulk JCE           %,14.0f tickets/s/core  (floor 10,000,000)  %s%n", bulk, bulk >= 10e6 ? "PASS" : "BELOW FLOOR");
        System.out.printf("RESULT open single JCE         %,14.0f opens/s/core    (floor  2,000,000)  %s%n", open, open >= 2e6 ? "PASS" : "BELOW FLOOR");
        System.out.printf("baseline seal single JCE       %,14.0f tickets/s  (bulk is %.1fx)%n", single, bulk / single);
        System.out.printf("baseline seal bulk BouncyCastle%,14.0f tickets/s  (JCE is %.1fx)%n", bcBulk, bulk / bcBulk);
        System.out.printf("baseline seal naive per-ticket %,14.0f tickets/s  (bulk is %.0fx)%n", naive, bulk / naive);
        System.out.printf("baseline open BouncyCastle     %,14.0f opens/s    (JCE is %.1fx)%n", bcOpen, open / bcOpen);
        System.out.printf("token verify + open            %,14.0f opens/s/core (what an edge or settlement pays per open)%n", tokenOpen);
        System.out.println("(sink " + sink + ")");
        return 0;
    }

    private double measure(String name, int count, LongSupplier body) {
        sink += body.getAsLong(); // warm-up
        sink += body.getAsLong();
        double[] rates = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            sink += body.getAsLong();
            rates[i] = count / ((System.nanoTime() - t0) / 1e9);
        }
        java.util.Arrays.sort(rates);
        double median = rates[rounds / 2];
        System.out.printf("  %-50s median %,14.0f/s  (min %,.0f, max %,.0f)%n", name, median, rates[0], rates[rounds - 1]);
        return median;
    }

    private long bcSeal(long[] ids, long[] amounts, int[] batches, byte[] records) {
        BlockCipher[] engines = new BlockCipher[17];
        byte[] block = new byte[16];
        for (int i = 0; i < ids.length; i++) {
            int key = 1 + (i / chunk) % 16;
            if (engines[key] == null) {
                engines[key] = AESEngine.newInstance();
                engines[key].init(true, new KeyParameter(ring.ticketKey(key).getEncoded()));
            }
            int off = i * EnvelopeLayout.RECORD_BYTES;
            Bytes.putLong(block, 0, TicketPlain.hi(ids[i], amounts[i]));
            Bytes.putLong(block, 8, TicketPlain.lo(batches[i], key));
            engines[key].processBlock(block, 0, records, off + EnvelopeLayout.TICKET_OFFSET);
            io.redpacket.envelope.EnvelopeRecord.writeHeader(records, off, key, batches[i]);
            io.redpacket.envelope.EnvelopeRecord.writeChecksum(records, off);
        }
        return records[7];
    }

    private long bcOpen(byte[] records, int n) {
        BlockCipher[] engines = new BlockCipher[17];
        byte[] block = new byte[16];
        long acc = 0;
        for (int i = 0; i < n; i++) {
            int off = i * EnvelopeLayout.RECORD_BYTES;
            if (!io.redpacket.envelope.EnvelopeRecord.checksumOk(records, off)) {
                continue;
            }
            int key = io.redpacket.envelope.EnvelopeRecord.keyId(records, off);
            if (engines[key] == null) {
                engines[key] = AESEngine.newInstance();
                engines[key].init(false, new KeyParameter(ring.ticketKey(key).getEncoded()));
            }
            engines[key].processBlock(records, off + EnvelopeLayout.TICKET_OFFSET, block, 0);
            long lo = Bytes.getLong(block, 8);
            if (TicketPlain.integrityTag(lo) == EnvelopeLayout.INTEGRITY_TAG && TicketPlain.keyId(lo) == key) {
                acc += TicketPlain.amountFen(Bytes.getLong(block, 0));
            }
        }
        return acc;
    }

    private long naiveSeal(long[] ids, long[] amounts, int[] batches, int n) {
        try {
            byte[] block = new byte[16];
            byte[] out = new byte[16];
            long acc = 0;
            for (int i = 0; i < n; i++) {
                Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
                c.init(Cipher.ENCRYPT_MODE, ring.ticketKey(1 + i % 16));
                Bytes.putLong(block, 0, TicketPlain.hi(ids[i], amounts[i]));
                Bytes.putLong(block, 8, TicketPlain.lo(batches[i], 1 + i % 16));
                c.doFinal(block, 0, 16, out, 0);
                acc += out[3];
            }
            return acc;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String cpu() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 2)).orElse("unknown CPU")
                    + ", " + Runtime.getRuntime().availableProcessors() + " cores";
        } catch (Exception e) {
            return "unknown CPU";
        }
    }
}
