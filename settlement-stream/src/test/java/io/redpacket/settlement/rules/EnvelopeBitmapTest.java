package io.redpacket.settlement.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EnvelopeBitmapTest {
    @Test
    void blocksPartitionTheIdSpace() {
        assertThat(EnvelopeBitmap.blockOf(0)).isZero();
        assertThat(EnvelopeBitmap.blockOf(EnvelopeBitmap.BLOCK_SIZE - 1)).isZero();
        assertThat(EnvelopeBitmap.blockOf(EnvelopeBitmap.BLOCK_SIZE)).isEqualTo(1);
        assertThat(EnvelopeBitmap.blockOf((1L << 40) - 1)).isEqualTo((1L << 30) - 1);
    }

    @Test
    void remembersExactlyTheIdsAddedToItsBlock() {
        long block = 123_456;
        long base = block << EnvelopeBitmap.BLOCK_BITS;
        byte[] bitmap = EnvelopeBitmap.empty();
        BitSet expected = new BitSet();
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 700; i++) {
            int offset = rnd.nextInt(EnvelopeBitmap.BLOCK_SIZE);
            assertThat(EnvelopeBitmap.contains(bitmap, base + offset)).isEqualTo(expected.get(offset));
            EnvelopeBitmap.add(bitmap, base + offset);
            expected.set(offset);
        }
        for (int offset = 0; offset < EnvelopeBitmap.BLOCK_SIZE; offset++) {
            assertThat(EnvelopeBitmap.contains(bitmap, base + offset)).as("offset %d", offset).isEqualTo(expected.get(offset));
            assertThat(EnvelopeBitmap.blockOf(base + offset)).isEqualTo(block);
        }
    }
}
