package io.redpacket.reconciliation.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdRunsAndDuplicatesTest {
    @Test
    void roundTripsSortedIdsIncludingRepeatsAndLargeGaps() {
        long base = 7L << 22;
        long[] ids = {base, base + 1, base + 1, base + 300, base + (1 << 22) - 1};
        byte[] blob = IdRuns.encode(ids, 0, ids.length, base);
        List<Long> back = new ArrayList<>();
        IdRuns.decode(blob, base, back::add);
        assertThat(back).containsExactly(base, base + 1, base + 1, base + 300, base + (1 << 22) - 1);
        // dense ids cost one byte each
        assertThat(IdRuns.encode(new long[] {base, base + 1, base + 2}, 0, 3, base))
                .hasSize(3);
    }

    @Test
    void findsIdsRepeatedAcrossAndWithinFilesAndNamesTheFiles() {
        int bits = 10;
        long base = 3L << bits;
        DuplicateIds.Blob a = new DuplicateIds.Blob(
                "a.env", IdRuns.encode(new long[] {base + 1, base + 5, base + 9, base + 9}, 0, 4, base));
        DuplicateIds.Blob b =
                new DuplicateIds.Blob("b.env", IdRuns.encode(new long[] {base + 2, base + 5}, 0, 2, base));
        List<DuplicateIds.Duplicate> dups = DuplicateIds.find(3, bits, List.of(a, b));
        assertThat(dups)
                .containsExactly(
                        new DuplicateIds.Duplicate(base + 5, 2, List.of("a.env", "b.env")),
                        new DuplicateIds.Duplicate(base + 9, 2, List.of("a.env", "a.env")));
        assertThat(DuplicateIds.find(3, bits, List.of(b))).isEmpty();
    }
}
