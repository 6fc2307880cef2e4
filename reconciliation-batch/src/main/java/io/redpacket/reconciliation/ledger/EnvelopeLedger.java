package io.redpacket.reconciliation.ledger;

import io.redpacket.avro.CreditDiscrepancyType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the logs say about one envelope id, set against what generation put in it, and the verdict: the
 * envelope's status and the discrepancies of check 5. Plain Java, no Spark: the job feeds it one envelope at a
 * time from a stream sorted by envelope id, so memory is one envelope's log lines.
 *
 * <p><b>An open event is its {@code eventId}</b>, however many times it was delivered: an edge or a producer that
 * re-sends after a lost acknowledgement puts the same event in the open log twice, byte for byte. Each event is
 * counted once, and it is <b>accepted when settlement let at least one of its deliveries through</b>, i.e. when it
 * has fewer rejects than deliveries. That is exact for both contracts settlement has had. Today a redelivery gets
 * the answer its first delivery got: none for an accepted event (no reject, no second credit), the same reject
 * again for a rejected one. Logs written before that answered every delivery on its own, so the copy of an accepted
 * open was rejected as {@code DUPLICATE_ENVELOPE} under the same event id (the false alarms of issue 14: two
 * deliveries, one reject, one credit), and an open refused under a blacklisted key could be let through when
 * delivered again after the key was lifted. A credit naming an event rejected at every delivery is still
 * CREDIT_WITHOUT_ACCEPTED_OPEN.
 *
 * <p>Credits are judged in order of (creditTimeMs, creditId); each gets the first type that applies:
 * FORGED (never generated), TAMPERED (amount, batch or sponsor differ from generation), DUPLICATE_CREDIT (not the
 * first credit of the envelope), CREDIT_WITHOUT_ACCEPTED_OPEN (its open event is not an accepted open of this
 * envelope). An envelope with accepted opens and no credit yields one row for its first accepted open:
 * ACCEPTED_NOT_CREDITED, or FORGED when it was never generated.
 */
public final class EnvelopeLedger {
    public static final String FORGED = CreditDiscrepancyType.FORGED.name();
    public static final String TAMPERED = CreditDiscrepancyType.TAMPERED.name();
    public static final String DUPLICATE_CREDIT = CreditDiscrepancyType.DUPLICATE_CREDIT.name();
    public static final String CREDIT_WITHOUT_ACCEPTED_OPEN = CreditDiscrepancyType.CREDIT_WITHOUT_ACCEPTED_OPEN.name();
    public static final String ACCEPTED_NOT_CREDITED = CreditDiscrepancyType.ACCEPTED_NOT_CREDITED.name();

    public static final String CREDITED = "CREDITED";
    public static final String PENDING = "PENDING";
    public static final String REJECTED = "REJECTED";

    /** What decryption found in the files. */
    public record Generated(long amountFen, int batchId, String sponsorId, String slotId) {}

    public record Open(String eventId, String userId, long openTimeMs, String hour, Long amountFen, Integer batchId) {}

    public record Credit(
            String creditId,
            String openEventId,
            String userId,
            long amountFen,
            Integer batchId,
            String sponsorId,
            long creditTimeMs,
            String hour) {}

    /** One row of credit_discrepancies. */
    public record Discrepancy(
            String type,
            String hour,
            long envelopeId,
            String creditId,
            String openEventId,
            String userId,
            String sponsorId,
            Integer batchId,
            Long amountFen,
            Integer generatedBatchId,
            String generatedSponsorId,
            Long generatedAmountFen,
            long excessFen,
            String detail) {}

    /** What became of one open event of this envelope (one row per event id, not per delivery). */
    public record EventOutcome(
            String eventId, Integer batchId, boolean generated, String outcome, String reason, int deliveries) {}

    public static final String OUTCOME_CREDITED = "CREDITED";
    public static final String OUTCOME_ACCEPTED = "ACCEPTED";
    public static final String OUTCOME_REJECTED = "REJECTED";
    /** The reject settlement gives an envelope opened before; for a redelivered event, the answer to its copy. */
    public static final String DUPLICATE_ENVELOPE = "DUPLICATE_ENVELOPE";

    public record Verdict(String status, List<Discrepancy> discrepancies, List<EventOutcome> events) {}

    /** An event id's deliveries (the first kept: redeliveries are identical) and the rejects that answer it. */
    private static final class Event {
        Open first;
        int deliveries;
        final List<String> rejectReasons = new ArrayList<>();

        boolean accepted() {
            return deliveries > rejectReasons.size();
        }
    }

    private long envelopeId;
    private Generated generated;
    private final Map<String, Event> events = new LinkedHashMap<>();
    private final List<Credit> credits = new ArrayList<>();
    private boolean mentioned;

    public void reset(long envelopeId) {
        this.envelopeId = envelopeId;
        generated = null;
        events.clear();
        credits.clear();
        mentioned = false;
    }

    /** A record of the files; of several (a duplicate id, reported elsewhere) the smallest (amount, batch) is kept. */
    public void generated(Generated g) {
        if (generated == null
                || g.amountFen() < generated.amountFen()
                || (g.amountFen() == generated.amountFen() && g.batchId() < generated.batchId())) {
            generated = g;
        }
    }

    /** One delivery of an open event (one row of the open log). */
    public void open(Open o) {
        Event e = events.computeIfAbsent(o.eventId(), k -> new Event());
        if (e.first == null || o.openTimeMs() < e.first.openTimeMs()) {
            e.first = o;
        }
        e.deliveries++;
        mentioned = true;
    }

    /** One reject (one row of the reject log) answering a delivery of {@code openEventId}. */
    public void reject(String openEventId, String reason) {
        events.computeIfAbsent(openEventId, k -> new Event()).rejectReasons.add(reason);
        mentioned = true;
    }

    public void credit(Credit c) {
        credits.add(c);
        mentioned = true;
    }

    /** Null status when the envelope was not generated or no log mentions it (a Bloom filter false positive). */
    public Verdict verdict() {
        List<Open> accepted = events.values().stream()
                .filter(e -> e.first != null && e.accepted())
                .map(e -> e.first)
                .sorted(Comparator.comparingLong(Open::openTimeMs).thenComparing(Open::eventId))
                .toList();
        String status = generated == null || !mentioned
                ? null
                : !credits.isEmpty() ? CREDITED : !accepted.isEmpty() ? PENDING : REJECTED;
        List<Discrepancy> out = new ArrayList<>();
        Set<String> acceptedEvents = new HashSet<>();
        accepted.forEach(o -> acceptedEvents.add(o.eventId()));
        List<Credit> ordered = credits.stream()
                .sorted(Comparator.comparingLong(Credit::creditTimeMs).thenComparing(Credit::creditId))
                .toList();
        for (int rank = 1; rank <= ordered.size(); rank++) {
            Discrepancy d = judge(ordered.get(rank - 1), rank, acceptedEvents);
            if (d != null) {
                out.add(d);
            }
        }
        if (ordered.isEmpty() && !accepted.isEmpty()) {
            Open o = accepted.get(0);
            Generated g = generated;
            out.add(new Discrepancy(
                    g == null ? FORGED : ACCEPTED_NOT_CREDITED,
                    o.hour(),
                    envelopeId,
                    null,
                    o.eventId(),
                    o.userId(),
                    g == null ? null : g.sponsorId(),
                    o.batchId(),
                    g == null ? o.amountFen() : Long.valueOf(g.amountFen()),
                    g == null ? null : g.batchId(),
                    g == null ? null : g.sponsorId(),
                    g == null ? null : g.amountFen(),
                    0L,
                    g == null ? "accepted open of an envelope never generated" : "accepted open, not credited yet"));
        }
        return new Verdict(status, out, outcomes(acceptedEvents));
    }

    /** One outcome per event id of the open log (rejects naming an event the open log lacks are not events). */
    private List<EventOutcome> outcomes(Set<String> acceptedEvents) {
        Set<String> credited = new HashSet<>();
        credits.forEach(c -> credited.add(c.openEventId()));
        List<EventOutcome> out = new ArrayList<>();
        for (Map.Entry<String, Event> en : events.entrySet()) {
            Event e = en.getValue();
            if (e.first == null) {
                continue;
            }
            String outcome;
            String reason = null;
            if (!acceptedEvents.contains(en.getKey())) {
                outcome = OUTCOME_REJECTED;
                // The first delivery's reason is the one that counts; a DUPLICATE_ENVELOPE beside it answered a copy.
                reason = e.rejectReasons.stream()
                        .filter(r -> !DUPLICATE_ENVELOPE.equals(r))
                        .sorted()
                        .findFirst()
                        .orElse(e.rejectReasons.isEmpty() ? null : e.rejectReasons.get(0));
            } else {
                outcome = credited.contains(en.getKey()) ? OUTCOME_CREDITED : OUTCOME_ACCEPTED;
            }
            out.add(new EventOutcome(
                    en.getKey(),
                    generated != null ? Integer.valueOf(generated.batchId()) : e.first.batchId(),
                    generated != null,
                    outcome,
                    reason,
                    e.deliveries));
        }
        return out;
    }

    private Discrepancy judge(Credit c, int rank, Set<String> acceptedEvents) {
        Generated g = generated;
        String type;
        String detail;
        long excess;
        if (g == null) {
            type = FORGED;
            detail = "envelope id never generated";
            excess = c.amountFen();
        } else {
            List<String> differences = new ArrayList<>();
            if (c.amountFen() != g.amountFen()) {
                differences.add("amount " + c.amountFen() + " != generated " + g.amountFen());
            }
            if (!Objects.equals(c.batchId(), g.batchId())) {
                differences.add("batch " + c.batchId() + " != generated " + g.batchId());
            }
            if (!Objects.equals(c.sponsorId(), g.sponsorId())) {
                differences.add("sponsor " + c.sponsorId() + " != generated " + g.sponsorId());
            }
            excess = rank > 1 ? c.amountFen() : c.amountFen() - g.amountFen();
            if (!differences.isEmpty()) {
                type = TAMPERED;
                detail = String.join("; ", differences);
            } else if (rank > 1) {
                type = DUPLICATE_CREDIT;
                detail = "credit #" + rank + " of this envelope";
            } else if (c.openEventId() == null || !acceptedEvents.contains(c.openEventId())) {
                type = CREDIT_WITHOUT_ACCEPTED_OPEN;
                detail = "open event " + c.openEventId() + " is not an accepted open of this envelope";
            } else {
                return null;
            }
        }
        return new Discrepancy(
                type,
                c.hour(),
                envelopeId,
                c.creditId(),
                c.openEventId(),
                c.userId(),
                c.sponsorId(),
                c.batchId(),
                c.amountFen(),
                g == null ? null : g.batchId(),
                g == null ? null : g.sponsorId(),
                g == null ? null : g.amountFen(),
                excess,
                detail);
    }

    public Generated generated() {
        return generated;
    }
}
