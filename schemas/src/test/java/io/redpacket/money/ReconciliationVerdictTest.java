package io.redpacket.money;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.CheckStatus;
import io.redpacket.avro.CreditDiscrepancyTotal;
import io.redpacket.avro.CreditDiscrepancyType;
import io.redpacket.avro.MoneyEquation;
import io.redpacket.avro.ReconciliationCheck;
import io.redpacket.avro.ReconciliationSummary;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

public class ReconciliationVerdictTest {
    /** A clean run: 1,000.00 yuan budget, 300.00 credited, 690.00 refunded, 10.00 pending. */
    public static ReconciliationSummary cleanSummary() {
        return clean();
    }

    static ReconciliationSummary clean() {
        List<CreditDiscrepancyTotal> d = new ArrayList<>();
        for (CreditDiscrepancyType t : CreditDiscrepancyType.values()) {
            d.add(new CreditDiscrepancyTotal(t, CheckStatus.OK, 0L, 0L, 0L));
        }
        return new ReconciliationSummary(
                "c",
                "main",
                1L,
                new ArrayList<>(List.of(new ReconciliationCheck("manifest_vs_files", CheckStatus.OK, 0L, 0L, "files"))),
                d,
                new MoneyEquation(100_000L, 30_000L, 69_000L, 1_000L, 0L, 0L));
    }

    static ReconciliationSummary withDiscrepancy(CreditDiscrepancyType type, long envelopes, CheckStatus status) {
        ReconciliationSummary s = clean();
        s.getDiscrepancies()
                .replaceAll(x -> x.getType() == type
                        ? new CreditDiscrepancyTotal(type, status, envelopes, 500L * envelopes, 0L)
                        : x);
        return s;
    }

    @Test
    void aCleanRunPasses() {
        assertThat(ReconciliationVerdict.failures(clean())).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = CreditDiscrepancyType.class, names = "ACCEPTED_NOT_CREDITED", mode = EnumSource.Mode.EXCLUDE)
    void eachKindOfMoneyPaidWronglyAloneFails(CreditDiscrepancyType type) {
        ReconciliationSummary s = withDiscrepancy(type, 1, ReconciliationVerdict.statusOf(type, 1));
        assertThat(ReconciliationVerdict.statusOf(type, 1)).isEqualTo(CheckStatus.FAIL);
        assertThat(ReconciliationVerdict.failures(s))
                .singleElement()
                .asString()
                .startsWith(type.name() + ": 1 envelopes");
    }

    @ParameterizedTest
    @EnumSource(value = CreditDiscrepancyType.class, names = "ACCEPTED_NOT_CREDITED", mode = EnumSource.Mode.EXCLUDE)
    void aStatusThatSaysOkOverCreditsPaidWronglyStillFails(CreditDiscrepancyType type) {
        assertThat(ReconciliationVerdict.failures(withDiscrepancy(type, 2, CheckStatus.OK)))
                .singleElement()
                .asString()
                .startsWith(type.name());
    }

    @Test
    void pendingCreditsAreAWarningNotAFailure() {
        assertThat(ReconciliationVerdict.statusOf(CreditDiscrepancyType.ACCEPTED_NOT_CREDITED, 3))
                .isEqualTo(CheckStatus.WARN);
        assertThat(ReconciliationVerdict.failures(
                        withDiscrepancy(CreditDiscrepancyType.ACCEPTED_NOT_CREDITED, 3, CheckStatus.WARN)))
                .isEmpty();
    }

    @Test
    void aMissingTotalFails() {
        ReconciliationSummary s = clean();
        s.getDiscrepancies().removeIf(x -> x.getType() == CreditDiscrepancyType.TAMPERED);
        assertThat(ReconciliationVerdict.failures(s)).containsExactly("reconciliation reported no TAMPERED total");
    }

    @Test
    void aBrokenEquationFailsByItsDifferenceByABrokenSponsorOrWhenItsPartsDoNotAddUp() {
        ReconciliationSummary off = clean();
        off.setMoneyEquation(new MoneyEquation(100_000L, 30_001L, 69_000L, 1_000L, 1L, 1L));
        assertThat(ReconciliationVerdict.failures(off))
                .singleElement()
                .asString()
                .startsWith("money equation broken");

        ReconciliationSummary sponsor = clean();
        sponsor.setMoneyEquation(new MoneyEquation(100_000L, 30_000L, 69_000L, 1_000L, 0L, 1L));
        assertThat(ReconciliationVerdict.failures(sponsor))
                .singleElement()
                .asString()
                .contains("1 scopes broken");

        ReconciliationSummary misreported = clean();
        misreported.setMoneyEquation(new MoneyEquation(100_000L, 30_000L, 60_000L, 1_000L, 0L, 0L));
        assertThat(ReconciliationVerdict.failures(misreported))
                .singleElement()
                .asString()
                .contains("= -9000 fen (reported 0)");
    }

    @Test
    void aFailedCampaignCheckFailsAndSoDoesAnOkStatusOverProblems() {
        ReconciliationSummary failed = clean();
        failed.getChecks().set(0, new ReconciliationCheck("manifest_vs_files", CheckStatus.FAIL, 2L, 0L, "files"));
        assertThat(ReconciliationVerdict.failures(failed))
                .singleElement()
                .asString()
                .startsWith("reconciliation check manifest_vs_files failed: 2");

        ReconciliationSummary inconsistent = clean();
        inconsistent.getChecks().set(0, new ReconciliationCheck("manifest_vs_files", CheckStatus.OK, 1L, 0L, "files"));
        assertThat(ReconciliationVerdict.failures(inconsistent)).hasSize(1);
    }
}
