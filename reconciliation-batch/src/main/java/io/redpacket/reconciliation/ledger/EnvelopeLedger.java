package io.redpacket.reconciliation.ledger;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the logs say about one envelope id, set against what generation put in it, and the verdict: the
 * envelope's status and the discrepancies of check 5. Plain Java, no Spark: the job feeds it one envelope at a
 * time from a stream sorted by envelope id, so memory is one envelope's log lines.
 *
 * <p>Credits are judged in order of (creditTimeMs, creditId); each gets the first type that applies:
 * FORGED (never generated), TAMPERED (amount, batch or sponsor differ from generation), DUPLICATE_CREDIT (not the
 * first credit of the envelope), CREDIT_WITHOUT_ACCEPTED_OPEN (its open event is not an accepted open of this
 * envelope). An envelope with accepted opens and no credit yields one row for its first accepted open:
 * ACCEPTED_NOT_CREDITED, or FORGED when it was never generated.
 */
public final class EnvelopeLedger {
    public static final String FORGED = "FORGED";
    public static final String TAMPERED = "TAMPERED";
    public static final String DUPLICATE_CREDIT = "DUPLICATE_CREDIT";
    public static final String CREDIT_WITHOUT_ACCEPTED_OPEN = "CREDIT_WITHOUT_ACCEPTED_OPEN";
    public static final String ACCEPTED_NOT_CREDITED = "ACCEPTED_NOT_CREDITED";

    public static final String CREDITED = "CREDITED";
    public static final String PENDING = "PENDING";
    public static final String REJECTED = "REJECTED";

    /** What decryption found in the files. */
    public record Generated(long amountFen, int batchId, String sponsorId, String slotId) {}

    public record Open(String eventId, String userId, long openTimeMs, String hour, Long amountFen, Integer batchId) {}

    public record Credit(String creditId, String openEventId, String userId, long amountFen, Integer batchId, String sponsorId,
                         long creditTimeMs, String hour) {}

    /** One row of credit_discrepancies. */
    public record Discrepancy(String type, String hour, long envelopeId, String creditId, String openEventId, String userId,
                              String sponsorId, Integer batchId, Long amountFen, Integer generatedBatchId,
                              String generatedSponsorId, Long generatedAmountFen, long excessFen, String detail) {}

    public record Verdict(String status, List<Discrepancy> discrepancies) {}

    private long envelopeId;
    private Generated generated;
    private final List<Open> opens = new ArrayList<>();
    private final Set<String> rejectedEvents = new HashSet<>();
    private final List<Credit> credits = new ArrayList<>();
    private boolean mentioned;

    public void reset(long envelopeId) {
        this.envelopeId = envelopeId;
        generated = null;
        opens.clear();
        rejectedEvents.clear();
        credits.clear();
        mentioned = false;
    }

    /** A record of the files; of several (a duplicate id, reported elsewhere) the smallest (amount, batch) is kept. */
    public void generated(Generated g) {
        if (generated == null || g.amountFen() < generated.amountFen()
                || (g.amountFen() == generated.amountFen() && g.batchId() < generated.batchId())) {
            generated = g;
        }
    }

    public void open(Open o) {
        opens.add(o);
        mentioned = true;
    }

    public void reject(String openEventId) {
        rejectedEvents.add(openEventId);
        mentioned = true;
    }

    public void credit(Credit c) {
        credits.add(c);
        mentioned = true;
    }

    /** Null status when the envelope was not generated or no log mentions it (a Bloom filter false positive). */
    public Verdict verdict() {
        List<Open> accepted = opens.stream().filter(o -> !rejectedEvents.contains(o.eventId()))
                .sorted(Comparator.comparingLong(Open::openTimeMs).thenComparing(Open::eventId)).toList();
        String status = generated == null || !mentioned ? null
                : !credits.isEmpty() ? CREDITED : !accepted.isEmpty() ? PENDING : REJECTED;
        List<Discrepancy> out = new ArrayList<>();
        Set<String> acceptedEvents = new HashSet<>();
        accepted.forEach(o -> acceptedEvents.add(o.eventId()));
        List<Credit> ordered = credits.stream()
                .sorted(Comparator.comparingLong(Credit::creditTimeMs).thenComparing(Credit::creditId)).toList();
        for (int rank = 1; rank <= ordered.size(); rank++) {
            Discrepancy d = judge(ordered.get(rank - 1), rank, acceptedEvents);
            if (d != null) {
                out.add(d);
            }
        }
        if (ordered.isEmpty() && !accepted.isEmpty()) {
            Open o = accepted.get(0);
            Generated g = generated;
            out.add(new Discrepancy(g == null ? FORGED : ACCEPTED_NOT_CREDITED, o.hour(), envelopeId, null, o.eventId(), o.userId(),
                    g == null ? null : g.sponsorId(), o.batchId(), g == null ? o.amountFen() : Long.valueOf(g.amountFen()),
                    g == null ? null : g.batchId(), g == null ? null : g.sponsorId(), g == null ? null : g.amountFen(), 0L,
                    g == null ? "accepted open of an envelope never generated" : "accepted open, not credited yet"));
        }
        return new Verdict(status, out);
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
        return new Discrepancy(type, c.hour(), envelopeId, c.creditId(), c.openEventId(), c.userId(), c.sponsorId(), c.batchId(),
                c.amountFen(), g == null ? null : g.batchId(), g == null ? null : g.sponsorId(), g == null ? null : g.amountFen(),
                excess, detail);
    }

    public Generated generated() {
        return generated;
    }
}
