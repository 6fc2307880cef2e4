package io.redpacket.settlement.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.settlement.rules.EnvelopeClaims.Verdict;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EnvelopeClaimsTest {
    private static byte[] record(int fill) {
        byte[] r = new byte[26];
        Arrays.fill(r, (byte) fill);
        return r;
    }

    @Test
    void blocksAndSlotsCoverEveryIdOnce() {
        assertThat(EnvelopeClaims.blockOf(0)).isZero();
        assertThat(EnvelopeClaims.blockOf(1023)).isZero();
        assertThat(EnvelopeClaims.blockOf(1024)).isEqualTo(1);
        assertThat(EnvelopeClaims.slotOf(1024 + 7)).isEqualTo(7);
        assertThat(EnvelopeClaims.blockOf((1L << 40) - 1)).isEqualTo((1L << 30) - 1);
    }

    @Test
    void theFirstMatchingOpenClaimsAndOnlyItsOwnRedeliveryIsRecognised() {
        byte[] loaded = EnvelopeClaims.loaded(record(1));
        assertThat(EnvelopeClaims.judge(loaded, record(1), "e1", false)).isEqualTo(Verdict.CLAIM);
        byte[] claimed = EnvelopeClaims.after(loaded, Verdict.CLAIM, "e1");
        assertThat(EnvelopeClaims.isClaimed(claimed)).isTrue();

        assertThat(EnvelopeClaims.judge(claimed, record(1), "e1", false)).isEqualTo(Verdict.REDELIVERY);
        assertThat(EnvelopeClaims.judge(claimed, record(1), "e1", true))
                .as("even if the key was blocked since")
                .isEqualTo(Verdict.REDELIVERY);
        assertThat(EnvelopeClaims.judge(claimed, record(1), "e2", false)).isEqualTo(Verdict.DUPLICATE_ENVELOPE);
        assertThat(EnvelopeClaims.judge(claimed, record(1), "e", false))
                .as("a prefix is another event")
                .isEqualTo(Verdict.DUPLICATE_ENVELOPE);
        assertThat(EnvelopeClaims.judge(claimed, record(1), "e10", false)).isEqualTo(Verdict.DUPLICATE_ENVELOPE);
        assertThat(EnvelopeClaims.after(claimed, Verdict.DUPLICATE_ENVELOPE, "e2"))
                .isSameAs(claimed);
    }

    @Test
    void aRecordGenerationDidNotWriteIsRejectedBeforeTheBlacklist() {
        byte[] loaded = EnvelopeClaims.loaded(record(1));
        assertThat(EnvelopeClaims.judge(null, record(1), "e1", false)).isEqualTo(Verdict.NOT_PREGENERATED);
        assertThat(EnvelopeClaims.judge(loaded, record(2), "e1", true)).isEqualTo(Verdict.RECORD_MISMATCH);
        byte[] oneByteOff = record(1);
        oneByteOff[25] ^= 1;
        assertThat(EnvelopeClaims.judge(loaded, oneByteOff, "e1", false)).isEqualTo(Verdict.RECORD_MISMATCH);
        assertThat(EnvelopeClaims.after(loaded, Verdict.RECORD_MISMATCH, "e1")).isSameAs(loaded);
    }

    @Test
    void aRefusedEventKeepsItsAnswerWhileAnotherEventMayClaimOnceTheKeyIsLifted() {
        byte[] loaded = EnvelopeClaims.loaded(record(3));
        assertThat(EnvelopeClaims.judge(loaded, record(3), "a", true)).isEqualTo(Verdict.BLACKLISTED_KEY);
        byte[] refused = EnvelopeClaims.after(loaded, Verdict.BLACKLISTED_KEY, "a");
        assertThat(EnvelopeClaims.isClaimed(refused)).isFalse();

        assertThat(EnvelopeClaims.judge(refused, record(3), "a", false))
                .as("redelivered after the key was lifted")
                .isEqualTo(Verdict.BLACKLISTED_KEY);
        assertThat(EnvelopeClaims.after(refused, Verdict.BLACKLISTED_KEY, "a")).isSameAs(refused);
        assertThat(EnvelopeClaims.judge(refused, record(4), "a", false)).isEqualTo(Verdict.RECORD_MISMATCH);
        assertThat(EnvelopeClaims.judge(refused, record(3), "b", true)).isEqualTo(Verdict.BLACKLISTED_KEY);
        assertThat(EnvelopeClaims.judge(refused, record(3), "b", false)).isEqualTo(Verdict.CLAIM);
        byte[] claimed = EnvelopeClaims.after(refused, Verdict.CLAIM, "b");
        assertThat(EnvelopeClaims.judge(claimed, record(3), "b", false)).isEqualTo(Verdict.REDELIVERY);
        assertThat(EnvelopeClaims.judge(claimed, record(3), "a", false)).isEqualTo(Verdict.DUPLICATE_ENVELOPE);
    }

    @Test
    void eventIdsAreComparedExactlyInUtf8() {
        byte[] claimed = EnvelopeClaims.after(EnvelopeClaims.loaded(record(5)), Verdict.CLAIM, "打开-7");
        assertThat(EnvelopeClaims.judge(claimed, record(5), "打开-7", false)).isEqualTo(Verdict.REDELIVERY);
        assertThat(EnvelopeClaims.judge(claimed, record(5), "打开-8", false)).isEqualTo(Verdict.DUPLICATE_ENVELOPE);
    }

    @Test
    void onlyWholeRecordsAreLoaded() {
        assertThatThrownBy(() -> EnvelopeClaims.loaded(new byte[25]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("26");
    }
}
