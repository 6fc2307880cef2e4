package io.redpacket.reconciliation.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.reconciliation.ledger.EnvelopeLedger.Credit;
import io.redpacket.reconciliation.ledger.EnvelopeLedger.Discrepancy;
import io.redpacket.reconciliation.ledger.EnvelopeLedger.Generated;
import io.redpacket.reconciliation.ledger.EnvelopeLedger.Open;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Check 5's rules, one envelope at a time, without Spark. */
class EnvelopeLedgerTest {
    static final Generated GEN = new Generated(500, 7, "sp-a", "s1");
    final EnvelopeLedger ledger = new EnvelopeLedger();

    static Open open(String event, long t) {
        return new Open(event, "u1", t, "2026-02-16-20", 500L, 7);
    }

    static Credit credit(String id, String event, long amount, int batch, String sponsor, long t) {
        return new Credit(id, event, "u1", amount, batch, sponsor, t, "2026-02-16-21");
    }

    private List<String> types() {
        return ledger.verdict().discrepancies().stream().map(Discrepancy::type).toList();
    }

    @Test
    void aCleanCreditIsCreditedWithoutDiscrepancy() {
        ledger.reset(42);
        ledger.generated(GEN);
        ledger.open(open("e1", 10));
        ledger.credit(credit("c1", "e1", 500, 7, "sp-a", 20));
        assertThat(ledger.verdict().status()).isEqualTo(EnvelopeLedger.CREDITED);
        assertThat(types()).isEmpty();
    }

    @Test
    void classifiesEachBadCreditOnceInPriorityOrder() {
        ledger.reset(42);
        ledger.credit(credit("c1", "e1", 500, 7, "sp-a", 20));
        assertThat(types()).containsExactly(EnvelopeLedger.FORGED);
        assertThat(ledger.verdict().status()).isNull();
        assertThat(ledger.verdict().discrepancies().get(0).excessFen()).isEqualTo(500);

        ledger.reset(42);
        ledger.generated(GEN);
        ledger.open(open("e1", 10));
        ledger.credit(credit("c1", "e1", 600, 7, "sp-b", 20));
        Discrepancy tampered = ledger.verdict().discrepancies().get(0);
        assertThat(tampered.type()).isEqualTo(EnvelopeLedger.TAMPERED);
        assertThat(tampered.detail()).isEqualTo("amount 600 != generated 500; sponsor sp-b != generated sp-a");
        assertThat(tampered.excessFen()).isEqualTo(100);

        ledger.reset(42);
        ledger.generated(GEN);
        ledger.open(open("e1", 10));
        ledger.credit(credit("c2", "e1", 500, 7, "sp-a", 30));
        ledger.credit(credit("c1", "e1", 500, 7, "sp-a", 20));
        List<Discrepancy> dup = ledger.verdict().discrepancies();
        assertThat(dup)
                .extracting(Discrepancy::type, Discrepancy::creditId, Discrepancy::excessFen)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(EnvelopeLedger.DUPLICATE_CREDIT, "c2", 500L));

        ledger.reset(42);
        ledger.generated(GEN);
        ledger.open(open("e1", 10));
        ledger.reject("e1", "USER_CAP");
        ledger.credit(credit("c1", "e1", 500, 7, "sp-a", 20));
        assertThat(types()).containsExactly(EnvelopeLedger.CREDIT_WITHOUT_ACCEPTED_OPEN);
    }

    @Test
    void acceptedOpensWithoutCreditArePendingAndRejectedOnesAreNot() {
        ledger.reset(42);
        ledger.generated(GEN);
        ledger.open(open("e2", 30));
        ledger.open(open("e1", 10));
        EnvelopeLedger.Verdict pending = ledger.verdict();
        assertThat(pending.status()).isEqualTo(EnvelopeLedger.PENDING);
        assertThat(pending.discrepancies()).singleElement().satisfies(d -> {
            assertThat(d.type()).isEqualTo(EnvelopeLedger.ACCEPTED_NOT_CREDITED);
            assertThat(d.openEventId()).isEqualTo("e1");
            assertThat(d.amountFen()).isEqualTo(500L);
            assertThat(d.excessFen()).isZero();
        });

        ledger.reset(42);
        ledger.generated(GEN);
        ledger.open(open("e1", 10));
        ledger.reject("e1", "USER_CAP");
        assertThat(ledger.verdict().status()).isEqualTo(EnvelopeLedger.REJECTED);
        assertThat(types()).isEmpty();

        ledger.reset(43);
        ledger.open(open("e9", 10));
        assertThat(types()).containsExactly(EnvelopeLedger.FORGED);

        ledger.reset(44);
        ledger.generated(GEN);
        assertThat(ledger.verdict().status())
                .as("a Bloom filter false positive")
                .isNull();
        assertThat(types()).isEmpty();
    }

    /** Issue 14: an open event delivered twice (same event id) is one event, whichever contract wrote the logs. */
    @Test
    void aRedeliveredOpenIsOneEventAndItsCreditIsClean() {
        // today: the copy of an accepted open is idempotent, no reject
        ledger.reset(42);
        ledger.generated(GEN);
        ledger.open(open("e1", 10));
        ledger.open(open("e1", 10));
        ledger.credit(credit("c1", "e1", 500, 7, "sp-a", 20));
        EnvelopeLedger.Verdict today = ledger.verdict();
        assertThat(today.status()).isEqualTo(EnvelopeLedger.CREDITED);
        assertThat(today.discrepancies()).isEmpty();
        assertThat(today.events()).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(EnvelopeLedger.OUTCOME_CREDITED);
            assertThat(e.deliveries()).isEqualTo(2);
        });

        // before: the copy was rejected as DUPLICATE_ENVELOPE under the same event id (the 50 false alarms of issue 14)
        ledger.reset(42);
        ledger.generated(GEN);
        ledger.open(open("e1", 10));
        ledger.open(open("e1", 10));
        ledger.reject("e1", EnvelopeLedger.DUPLICATE_ENVELOPE);
        ledger.credit(credit("c1", "e1", 500, 7, "sp-a", 20));
        assertThat(types()).isEmpty();
        assertThat(ledger.verdict().events())
                .singleElement()
                .extracting(EnvelopeLedger.EventOutcome::outcome)
                .isEqualTo(EnvelopeLedger.OUTCOME_CREDITED);

        // before, and not credited yet: pending, not rejected
        ledger.reset(42);
        ledger.generated(GEN);
        ledger.open(open("e1", 10));
        ledger.reject("e1", EnvelopeLedger.DUPLICATE_ENVELOPE);
        ledger.open(open("e1", 10));
        assertThat(ledger.verdict().status()).isEqualTo(EnvelopeLedger.PENDING);
        assertThat(types()).containsExactly(EnvelopeLedger.ACCEPTED_NOT_CREDITED);
    }

    @Test
    void anEventRejectedAtEveryDeliveryStaysRejectedWithItsFirstReason() {
        // today: the copy of a rejected open gets the same answer again
        ledger.reset(41);
        ledger.generated(GEN);
        ledger.open(open("e0", 10));
        ledger.open(open("e0", 10));
        ledger.reject("e0", "USER_CAP");
        ledger.reject("e0", "USER_CAP");
        assertThat(ledger.verdict().status()).isEqualTo(EnvelopeLedger.REJECTED);
        assertThat(ledger.verdict().events()).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("USER_CAP");
            assertThat(e.deliveries()).isEqualTo(2);
        });

        // before: the copy of a capped open was rejected as a duplicate
        ledger.reset(42);
        ledger.generated(GEN);
        ledger.open(open("e1", 10));
        ledger.open(open("e1", 10));
        ledger.reject("e1", "USER_CAP");
        ledger.reject("e1", EnvelopeLedger.DUPLICATE_ENVELOPE);
        EnvelopeLedger.Verdict v = ledger.verdict();
        assertThat(v.status()).isEqualTo(EnvelopeLedger.REJECTED);
        assertThat(v.events()).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(EnvelopeLedger.OUTCOME_REJECTED);
            assertThat(e.reason()).isEqualTo("USER_CAP");
        });

        // a credit of it is still an alarm
        ledger.credit(credit("c1", "e1", 500, 7, "sp-a", 20));
        assertThat(types()).containsExactly(EnvelopeLedger.CREDIT_WITHOUT_ACCEPTED_OPEN);

        // delivered once, rejected as a duplicate, and credited anyway: an alarm too
        ledger.reset(43);
        ledger.generated(GEN);
        ledger.open(open("e2", 10));
        ledger.reject("e2", EnvelopeLedger.DUPLICATE_ENVELOPE);
        ledger.credit(credit("c2", "e2", 500, 7, "sp-a", 20));
        assertThat(types()).containsExactly(EnvelopeLedger.CREDIT_WITHOUT_ACCEPTED_OPEN);

        // rejected once (a blacklisted key), let through at its redelivery after the key was lifted: accepted
        ledger.reset(44);
        ledger.generated(GEN);
        ledger.open(open("e3", 10));
        ledger.reject("e3", "BLACKLISTED_KEY");
        ledger.open(open("e3", 10));
        ledger.credit(credit("c3", "e3", 500, 7, "sp-a", 20));
        assertThat(types()).isEmpty();
    }
}
