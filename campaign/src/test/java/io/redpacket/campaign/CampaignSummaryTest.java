package io.redpacket.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.CheckStatus;
import io.redpacket.avro.CreditDiscrepancyTotal;
import io.redpacket.avro.CreditDiscrepancyType;
import io.redpacket.avro.MoneyEquation;
import io.redpacket.avro.ReconciliationCheck;
import io.redpacket.avro.ReconciliationSummary;
import io.redpacket.money.ReconciliationVerdict;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The campaign's money verdict, from reconciliation's typed summary: each way of paying wrongly, alone, fails the run. */
class CampaignSummaryTest {
    /** 1,970,000.00 yuan budget; 60,161.09 credited, 12.34 pending, the rest refunded. */
    private static ReconciliationSummary summary(CreditDiscrepancyType wrong, long envelopes, MoneyEquation equation) {
        List<CreditDiscrepancyTotal> d = new ArrayList<>();
        for (CreditDiscrepancyType t : CreditDiscrepancyType.values()) {
            long n = t == wrong ? envelopes : 0;
            d.add(new CreditDiscrepancyTotal(
                    t, ReconciliationVerdict.statusOf(t, n), n, 700L * n, t == wrong ? 700L * n : 0L));
        }
        List<ReconciliationCheck> checks = List.of(
                new ReconciliationCheck("manifest_vs_files", CheckStatus.OK, 0L, 0L, "files"),
                new ReconciliationCheck("decrypt_failures", CheckStatus.OK, 0L, 0L, "records"));
        return new ReconciliationSummary("c", "main", 1L, checks, d, equation);
    }

    private static MoneyEquation holding() {
        long budget = 197_000_000L;
        long credited = 6_016_109L;
        long pending = 1_234L;
        return new MoneyEquation(budget, credited, budget - credited - pending, pending, 0L, 0L);
    }

    private static CampaignSummary verdict(ReconciliationSummary r) {
        List<String> lines = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        CampaignSummary.reconciliation(r, lines, failures);
        return new CampaignSummary(lines, failures);
    }

    @Test
    void aBalancedRunPassesAndSaysSoInYuan() {
        CampaignSummary s = verdict(summary(null, 0, holding()));
        assertThat(s.passed()).isTrue();
        assertThat(s.lines())
                .contains(
                        String.format("%-34s %s", "money equation", "HOLDS to the fen"),
                        String.format("%-34s %s", "pending (accepted, not yet credited)", "12.34 yuan"),
                        String.format("%-34s %s", "credited + refunds + pending", "1,970,000.00 yuan"));
    }

    @ParameterizedTest
    @EnumSource(value = CreditDiscrepancyType.class, names = "ACCEPTED_NOT_CREDITED", mode = EnumSource.Mode.EXCLUDE)
    void oneEnvelopePaidWronglyAloneFailsTheRunNamingItsType(CreditDiscrepancyType type) {
        CampaignSummary s = verdict(summary(type, 1, holding()));
        assertThat(s.passed()).isFalse();
        assertThat(s.failures()).singleElement().asString().startsWith(type.name() + ": 1 envelopes");
        assertThat(s.lines())
                .anyMatch(l ->
                        l.trim().startsWith(type.name() + " ") && l.contains("1 envelopes, 700 fen excess (FAIL)"));
    }

    @Test
    void aSettlementJobThatFailedAndRestartedFailsABalancedRun() {
        CampaignSummary balanced = verdict(summary(null, 0, holding()));
        CampaignSummary failed = balanced.with(List.of(
                CampaignSummary.SETTLEMENT_FAILED + " 3 time(s); newest: flag devices: IllegalArgumentException"));
        assertThat(failed.passed()).isFalse();
        assertThat(failed.failures()).singleElement().asString().contains("3 time(s)");
        assertThat(balanced.with(List.of(String.format("%-34s none", "settlement job failures")))
                        .passed())
                .isTrue();
    }

    @Test
    void pendingCreditsAloneDoNotFailTheRun() {
        assertThat(verdict(summary(CreditDiscrepancyType.ACCEPTED_NOT_CREDITED, 5, holding()))
                        .passed())
                .isTrue();
    }

    @Test
    void aBrokenEquationFailsAndShowsTheDifferenceInYuanWithItsSign() {
        MoneyEquation h = holding();
        MoneyEquation overpaid = new MoneyEquation(
                h.getBudgetFen(), h.getCreditedFen() + 150, h.getRefundFen(), h.getPendingFen(), 150L, 1L);
        CampaignSummary s = verdict(summary(null, 0, overpaid));
        assertThat(s.passed()).isFalse();
        assertThat(s.lines()).contains(String.format("%-34s %s", "money equation", "BROKEN by 1.50 yuan"));
        MoneyEquation underpaid = new MoneyEquation(
                h.getBudgetFen(), h.getCreditedFen() - 150, h.getRefundFen(), h.getPendingFen(), -150L, 1L);
        assertThat(verdict(summary(null, 0, underpaid)).lines())
                .contains(String.format("%-34s %s", "money equation", "BROKEN by -1.50 yuan"));
    }

    @Test
    void aFailedCheckOfTheGeneratedCampaignFailsTheRun() {
        ReconciliationSummary r = summary(null, 0, holding());
        r.setChecks(List.of(new ReconciliationCheck("manifest_vs_files", CheckStatus.FAIL, 1L, 0L, "files")));
        assertThat(verdict(r).failures())
                .singleElement()
                .asString()
                .startsWith("reconciliation check manifest_vs_files failed");
    }
}
