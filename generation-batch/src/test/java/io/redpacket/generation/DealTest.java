package io.redpacket.generation;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.BatchConfig;
import io.redpacket.generation.input.ValidatedInputs;
import io.redpacket.generation.plan.FileTask;
import io.redpacket.generation.plan.VariantPlan;
import io.redpacket.generation.plan.VariantPlanner;
import io.redpacket.keys.KeyAllotment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plan: dense batch ids, contiguous id ranges, balanced and proportional shards, key ranges under the cap. */
class DealTest {

    @Test
    void batchesAreDenseAndOwnContiguousIdRanges() throws Exception {
        ValidatedInputs in = Fixtures.demo();
        List<VariantPlan> plans =
                new VariantPlanner(7, 1, KeyAllotment.defaults(), 1 << 20).planAll(in.script(), in.budget(), 1);
        long nextId = 0;
        int nextKey = 1;
        for (VariantPlan p : plans) {
            assertThat(p.firstEnvelopeId()).isEqualTo(nextId);
            assertThat(p.firstKeyId()).isEqualTo(nextKey);
            for (int i = 0; i < p.batches().size(); i++) {
                BatchConfig b = p.batches().get(i);
                assertThat(b.getBatchId()).isEqualTo(i + 1);
                assertThat(b.getFirstEnvelopeId()).isEqualTo(nextId);
                nextId += b.getCount();
            }
            assertThat(p.nextEnvelopeId()).isEqualTo(nextId);
            nextKey = p.nextKeyId();
        }
        // main: slot s2000 (20:00) batches come before s2030's
        VariantPlan main = plans.get(0);
        assertThat(main.batches())
                .extracting(BatchConfig::getSlotId)
                .containsExactly("s2000", "s2000", "s2000", "s2000", "s2030", "s2030", "s2030", "s2030", "s2030");
        assertThat(main.batches().get(0).getSponsorName()).isEqualTo("Acme Dairy");
        assertThat(main.batches().get(8).getChannel()).isEqualTo("coupon-travel");
    }

    @Test
    void shardsAreBalancedToOneRecordAndHoldEveryBatchInProportion() throws Exception {
        ValidatedInputs in = Fixtures.demo();
        int shards = 13;
        VariantPlan p = new VariantPlanner(shards, 5, KeyAllotment.defaults(), 1 << 20)
                .planAll(in.script(), in.budget(), 1)
                .get(0);
        Map<String, long[]> slotSizes = new HashMap<>();
        Map<Integer, Long> perBatch = new HashMap<>();
        Map<Integer, Long> perBatchFen = new HashMap<>();
        for (FileTask t : p.files()) {
            long[] mm = slotSizes.computeIfAbsent(t.slotId, s -> new long[] {Long.MAX_VALUE, 0});
            mm[0] = Math.min(mm[0], t.recordCount());
            mm[1] = Math.max(mm[1], t.recordCount());
            for (int i = 0; i < t.pieces(); i++) {
                BatchConfig b = p.batches().get(t.batchIds[i] - 1);
                double expected = (double) b.getCount() / shards;
                assertThat((double) t.counts[i]).isBetween(Math.floor(expected), Math.ceil(expected));
                assertThat(t.totals[i]).isBetween(t.counts[i] * b.getMinFen(), t.counts[i] * b.getMaxFen());
                perBatch.merge(t.batchIds[i], t.counts[i], Long::sum);
                perBatchFen.merge(t.batchIds[i], t.totals[i], Long::sum);
            }
        }
        assertThat(p.files()).hasSize(2 * shards);
        slotSizes.values().forEach(mm -> assertThat(mm[1] - mm[0]).isLessThanOrEqualTo(1));
        for (BatchConfig b : p.batches()) {
            assertThat(perBatch.get(b.getBatchId())).isEqualTo(b.getCount());
            assertThat(perBatchFen.get(b.getBatchId())).isEqualTo(b.getTotalFen());
        }
    }

    @Test
    void everyFileHasItsOwnKeysEnoughForItsMoney() throws Exception {
        ValidatedInputs in = Fixtures.demo();
        long cap = 16_777_215L; // the smallest cap allowed: forces several keys per file
        KeyAllotment allotment = new KeyAllotment(cap);
        VariantPlan p = new VariantPlanner(2, 1, allotment, 1 << 20)
                .planAll(in.script(), in.budget(), 10)
                .get(0);
        int next = 10;
        for (FileTask t : p.files()) {
            assertThat(t.firstKeyId).isEqualTo(next);
            long maxEnvelope = java.util.Arrays.stream(t.maxs).max().orElse(0);
            assertThat((long) t.keyCount()).isEqualTo(allotment.keysNeeded(t.amountFen(), maxEnvelope));
            next = t.lastKeyId + 1;
        }
        assertThat(p.nextKeyId()).isEqualTo(next);
    }

    @Test
    void moreKeysThanKeyIdsAllowIsBadInput() throws Exception {
        ValidatedInputs in = Fixtures.demo();
        // every non-empty file needs its own key: 76,000 of the 2 x 40,000 files of variant main hold envelopes
        io.redpacket.cli.BadInputException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                io.redpacket.cli.BadInputException.class,
                () -> new VariantPlanner(40_000, 1, KeyAllotment.defaults(), 1 << 16)
                        .planAll(in.script(), in.budget(), 1));
        assertThat(e)
                .hasMessageContaining("demo-script.yaml:")
                .hasMessageContaining("variants[main]: needs key ids 1..76000")
                .hasMessageContaining("but key ids end at 65535");
    }
}
