package io.redpacket.envelope;

import static io.redpacket.envelope.EnvelopeLayout.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.avro.RejectReason;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.keys.KeyRing;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class TicketSealerOpenerTest {
    static final KeyRing RING = KeyRing.generate(8, new SecureRandom());
    static final KeyRing OTHER_RING = KeyRing.generate(8, new SecureRandom());

    static byte[] sealOne(long id, long amount, int batch, int key) {
        byte[] rec = new byte[RECORD_BYTES];
        new TicketSealer(RING).seal(id, amount, batch, key, rec, 0);
        return rec;
    }

    static TicketOpener opener() {
        return new TicketOpener(RING, new KeyBlacklist());
    }

    @Nested
    class RoundTrip {
        @Test
        void singleRecordOpensToItsFields() {
            byte[] rec = sealOne(123_456_789_012L, 8_88, 4_242, 3);
            assertThat(rec).hasSize(26);
            assertThat(EnvelopeRecord.keyId(rec, 0)).isEqualTo(3);
            assertThat(EnvelopeRecord.batchId(rec, 0)).isEqualTo(4_242);
            assertThat(EnvelopeRecord.checksumOk(rec, 0)).isTrue();

            OpenedTicket t = opener().open(rec, 0);
            assertThat(t.isValid()).isTrue();
            assertThat(t.envelopeId()).isEqualTo(123_456_789_012L);
            assertThat(t.amountFen()).isEqualTo(888);
            assertThat(t.batchId()).isEqualTo(4_242);
            assertThat(t.keyId()).isEqualTo(3);
        }

        @Test
        void extremesOfEveryFieldRoundTrip() {
            long[][] cases = {
                {0, 1, 1, 1}, {MAX_ENVELOPE_ID, MAX_AMOUNT_FEN, MAX_BATCH_ID, 8}, {1L << 39, 1 << 23, 1 << 23, 5}
            };
            for (long[] c : cases) {
                OpenedTicket t = opener().open(sealOne(c[0], c[1], (int) c[2], (int) c[3]), 0);
                assertThat(t.isValid()).as(Arrays.toString(c)).isTrue();
                assertThat(new long[] {t.envelopeId(), t.amountFen(), t.batchId(), t.keyId()})
                        .containsExactly(c);
            }
        }

        @Test
        void bulkSealingEqualsSingleSealingAtAnyOffset() {
            int n = 1000;
            SplittableRandom r = new SplittableRandom(7);
            long[] ids = new long[n + 5];
            long[] amounts = new long[n + 5];
            int[] batches = new int[n + 5];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = r.nextLong(MAX_ENVELOPE_ID + 1);
                amounts[i] = 1 + r.nextLong(MAX_AMOUNT_FEN);
                batches[i] = 1 + r.nextInt(MAX_BATCH_ID);
            }
            byte[] out = new byte[3 + n * RECORD_BYTES];
            TicketSealer sealer = new TicketSealer(RING);
            sealer.sealBulk(6, ids, amounts, batches, 5, n, out, 3);
            TicketOpener opener = opener();
            for (int i = 0; i < n; i++) {
                byte[] single = new byte[RECORD_BYTES];
                sealer.seal(ids[5 + i], amounts[5 + i], batches[5 + i], 6, single, 0);
                assertThat(Arrays.copyOfRange(out, 3 + i * RECORD_BYTES, 3 + (i + 1) * RECORD_BYTES))
                        .isEqualTo(single);
                OpenedTicket t = opener.open(out, 3 + i * RECORD_BYTES);
                assertThat(t.envelopeId()).isEqualTo(ids[5 + i]);
                assertThat(t.amountFen()).isEqualTo(amounts[5 + i]);
            }
        }
    }

    @Nested
    class Tampering {
        @Test
        void everySingleBitFlipOfTheRecordIsRejected() {
            byte[] rec = sealOne(42, 500, 17, 2);
            TicketOpener opener = opener();
            for (int bit = 0; bit < RECORD_BYTES * 8; bit++) {
                byte[] bad = rec.clone();
                bad[bit / 8] ^= (byte) (1 << (bit % 8));
                assertThat(opener.open(bad, 0).isValid()).as("bit %d", bit).isFalse();
            }
        }

        @Test
        void everySingleBitFlipOfTheTicketIsRejectedEvenWithARepairedChecksum() {
            byte[] rec = sealOne(42, 500, 17, 2);
            TicketOpener opener = opener();
            for (int bit = 0; bit < TICKET_BYTES * 8; bit++) {
                byte[] bad = rec.clone();
                bad[TICKET_OFFSET + bit / 8] ^= (byte) (1 << (bit % 8));
                EnvelopeRecord.writeChecksum(bad, 0);
                assertThat(opener.open(bad, 0).reason()).as("bit %d", bit).isEqualTo(RejectReason.TICKET_NOT_AUTHENTIC);
            }
        }

        @Test
        void headerRewrittenToAnotherBatchIsRejected() {
            byte[] rec = sealOne(42, 500, 17, 2);
            EnvelopeRecord.writeHeader(rec, 0, 2, 18);
            EnvelopeRecord.writeChecksum(rec, 0);
            assertThat(opener().open(rec, 0).reason()).isEqualTo(RejectReason.TICKET_NOT_AUTHENTIC);
        }

        @Test
        void headerRewrittenToAnotherKeyIsRejected() {
            byte[] rec = sealOne(42, 500, 17, 2);
            EnvelopeRecord.writeHeader(rec, 0, 3, 17);
            EnvelopeRecord.writeChecksum(rec, 0);
            assertThat(opener().open(rec, 0).reason()).isEqualTo(RejectReason.TICKET_NOT_AUTHENTIC);
        }

        @Test
        void corruptionWithoutRepairIsCaughtByTheChecksum() {
            byte[] rec = sealOne(42, 500, 17, 2);
            rec[20] ^= 0x10;
            assertThat(opener().open(rec, 0).reason()).isEqualTo(RejectReason.RECORD_CHECKSUM);
        }
    }

    @Nested
    class Keys {
        @Test
        void aRecordSealedWithAnotherRingsKeyIsNotAuthentic() {
            byte[] rec = new byte[RECORD_BYTES];
            new TicketSealer(OTHER_RING).seal(42, 500, 17, 2, rec, 0);
            assertThat(opener().open(rec, 0).reason()).isEqualTo(RejectReason.TICKET_NOT_AUTHENTIC);
        }

        @Test
        void aKeyOutsideTheWhitelistIsUnknown() {
            byte[] rec = sealOne(42, 500, 17, 5);
            TicketOpener whitelisted = new TicketOpener(RING.restrictTo(id -> id <= 4), new KeyBlacklist());
            assertThat(whitelisted.open(rec, 0).reason()).isEqualTo(RejectReason.UNKNOWN_KEY);
            assertThat(new TicketOpener(RING.tokenOnly(), new KeyBlacklist())
                            .open(rec, 0)
                            .reason())
                    .isEqualTo(RejectReason.UNKNOWN_KEY);
        }

        @Test
        void theBlacklistIsHonouredAndCanChangeWhileRunning() {
            byte[] rec = sealOne(42, 500, 17, 4);
            KeyBlacklist blacklist = new KeyBlacklist();
            TicketOpener opener = new TicketOpener(RING, blacklist);
            assertThat(opener.open(rec, 0).isValid()).isTrue();
            blacklist.block(4);
            assertThat(opener.open(rec, 0).reason()).isEqualTo(RejectReason.BLACKLISTED_KEY);
            assertThat(opener.open(sealOne(43, 500, 17, 3), 0).isValid()).isTrue();
            blacklist.unblock(4);
            assertThat(opener.open(rec, 0).isValid()).isTrue();
        }

        @Test
        void sealingWithAKeyNotInTheRingFails() {
            assertThatThrownBy(() -> sealOne(1, 1, 1, 9)).hasMessageContaining("keyId: 9");
        }
    }

    @Nested
    class ArbitraryInput {
        @Test
        void truncatedNullAndOutOfRangeInputIsMalformed() {
            byte[] rec = sealOne(42, 500, 17, 2);
            TicketOpener opener = opener();
            for (int len = 0; len < RECORD_BYTES; len++) {
                assertThat(opener.open(Arrays.copyOf(rec, len), 0).reason()).isEqualTo(RejectReason.MALFORMED_RECORD);
            }
            assertThat(opener.open(null, 0).reason()).isEqualTo(RejectReason.MALFORMED_RECORD);
            assertThat(opener.open(rec, -1).reason()).isEqualTo(RejectReason.MALFORMED_RECORD);
            assertThat(opener.open(rec, 1).reason()).isEqualTo(RejectReason.MALFORMED_RECORD);
        }

        @Test
        void randomBytesNeverThrowAndNeverOpen() {
            SplittableRandom r = new SplittableRandom(2026);
            TicketOpener opener = opener();
            byte[] rec = new byte[RECORD_BYTES];
            for (int i = 0; i < 200_000; i++) {
                r.nextBytes(rec);
                if (i % 2 == 0) {
                    // Half the time make the header plausible so the random ticket reaches AES.
                    EnvelopeRecord.writeHeader(rec, 0, 1 + r.nextInt(8), 1 + r.nextInt(100));
                    EnvelopeRecord.writeChecksum(rec, 0);
                }
                OpenedTicket t = opener.open(rec, 0);
                assertThat(t.isValid()).isFalse();
                assertThat(t.reason()).isNotNull();
            }
        }
    }

    @Nested
    class Capacity {
        @Test
        void valuesBeyondTheFormatFailWithTheFieldNamed() {
            assertThatThrownBy(() -> sealOne(MAX_ENVELOPE_ID + 1, 1, 1, 1))
                    .isInstanceOf(CapacityException.class)
                    .hasMessageContaining("envelopeId")
                    .hasMessageContaining(String.valueOf(MAX_ENVELOPE_ID));
            assertThatThrownBy(() -> sealOne(-1, 1, 1, 1)).hasMessageContaining("envelopeId");
            assertThatThrownBy(() -> sealOne(1, 0, 1, 1)).hasMessageContaining("amountFen");
            assertThatThrownBy(() -> sealOne(1, MAX_AMOUNT_FEN + 1, 1, 1))
                    .hasMessageContaining("amountFen")
                    .hasMessageContaining("16777215");
            assertThatThrownBy(() -> sealOne(1, 1, 0, 1)).hasMessageContaining("batchId");
            assertThatThrownBy(() -> sealOne(1, 1, MAX_BATCH_ID + 1, 1)).hasMessageContaining("batchId");
            assertThatThrownBy(() -> checkCapacity(1, 1, 1, 0)).hasMessageContaining("keyId");
            assertThatThrownBy(() -> checkCapacity(1, 1, 1, MAX_KEY_ID + 1))
                    .hasMessageContaining("keyId")
                    .hasMessageContaining("65535");
        }

        @Test
        void documentedCapacities() {
            assertThat(RECORD_BYTES).isEqualTo(26);
            assertThat(TICKET_BYTES).isEqualTo(16);
            assertThat(ENVELOPE_ID_BITS + AMOUNT_BITS + BATCH_ID_BITS + KEY_ID_BITS + INTEGRITY_BITS)
                    .isEqualTo(128);
            assertThat(MAX_ENVELOPES).isEqualTo(1_099_511_627_776L);
            assertThat(MAX_AMOUNT_FEN).isEqualTo(16_777_215L);
            assertThat(MAX_BATCH_ID).isEqualTo(16_777_215);
            assertThat(MAX_KEY_ID).isEqualTo(65_535);
            assertThat(REDUNDANCY_BITS).isEqualTo(64);
        }
    }
}
