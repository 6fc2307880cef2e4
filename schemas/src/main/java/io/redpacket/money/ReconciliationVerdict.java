package io.redpacket.money;

import io.redpacket.avro.CheckStatus;
import io.redpacket.avro.CreditDiscrepancyTotal;
import io.redpacket.avro.CreditDiscrepancyType;
import io.redpacket.avro.MoneyEquation;
import io.redpacket.avro.ReconciliationCheck;
import io.redpacket.avro.ReconciliationSummary;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The one rule that says whether a reconciled campaign paid exactly what it should: reconciliation sets the statuses it
 * writes with it, and every reader of a {@link ReconciliationSummary} (the campaign's verdict, tests) decides with it.
 */
public final class ReconciliationVerdict {
    private ReconciliationVerdict() {}

    /** Credits that are money paid wrongly; the remaining type (accepted, credit not yet seen) is pending money, not loss. */
    public static final Set<CreditDiscrepancyType> PAID_WRONGLY = EnumSet.of(
            CreditDiscrepancyType.FORGED,
            CreditDiscrepancyType.TAMPERED,
            CreditDiscrepancyType.DUPLICATE_CREDIT,
            CreditDiscrepancyType.CREDIT_WITHOUT_ACCEPTED_OPEN);

    /** The status reconciliation gives a discrepancy total. */
    public static CheckStatus statusOf(CreditDiscrepancyType type, long envelopes) {
        if (envelopes == 0) {
            return CheckStatus.OK;
        }
        return PAID_WRONGLY.contains(type) ? CheckStatus.FAIL : CheckStatus.WARN;
    }

    public static boolean equationHolds(MoneyEquation e) {
        return e.getDifferenceFen() == 0
                && e.getBrokenScopes() == 0
                && e.getCreditedFen() + e.getRefundFen() + e.getPendingFen() - e.getBudgetFen() == e.getDifferenceFen();
    }

    /**
     * Every reason the summary fails, empty when it passes. Decided from the figures, not only the statuses written: a
     * summary whose status says OK over a non-zero paid-wrongly count, or whose equation does not add up, fails too.
     */
    public static List<String> failures(ReconciliationSummary s) {
        List<String> out = new ArrayList<>();
        MoneyEquation e = s.getMoneyEquation();
        if (!equationHolds(e)) {
            out.add(String.format(
                    "money equation broken: credited %d + refunds %d + pending %d - budget %d = %d fen (reported %d),"
                            + " %d scopes broken",
                    e.getCreditedFen(),
                    e.getRefundFen(),
                    e.getPendingFen(),
                    e.getBudgetFen(),
                    e.getCreditedFen() + e.getRefundFen() + e.getPendingFen() - e.getBudgetFen(),
                    e.getDifferenceFen(),
                    e.getBrokenScopes()));
        }
        Set<CreditDiscrepancyType> seen = EnumSet.noneOf(CreditDiscrepancyType.class);
        for (CreditDiscrepancyTotal d : s.getDiscrepancies()) {
            seen.add(d.getType());
            if (d.getStatus() == CheckStatus.FAIL || statusOf(d.getType(), d.getEnvelopes()) == CheckStatus.FAIL) {
                out.add(String.format(
                        "%s: %d envelopes credited wrongly, %d fen, %d fen beyond what was generated",
                        d.getType(), d.getEnvelopes(), d.getAmountFen(), d.getExcessFen()));
            }
        }
        for (CreditDiscrepancyType t : PAID_WRONGLY) {
            if (!seen.contains(t)) {
                out.add("reconciliation reported no " + t + " total");
            }
        }
        for (ReconciliationCheck c : s.getChecks()) {
            if (c.getStatus() == CheckStatus.FAIL || (c.getStatus() == CheckStatus.OK && c.getProblems() != 0)) {
                out.add(String.format(
                        "reconciliation check %s failed: %d problems, %d fen (%s)",
                        c.getName(), c.getProblems(), c.getAmountFen(), c.getDetail()));
            }
        }
        return out;
    }
}
