package io.redpacket.open;

import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.RejectReason;
import io.redpacket.envelope.OpenedTicket;
import io.redpacket.envelope.TicketOpener;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.keys.KeyRing;
import io.redpacket.token.TokenVerifier;
import io.redpacket.token.VerifiedToken;

/**
 * Everything an open can be judged on by local computation, in one place so the edge and settlement apply
 * the same rules: token authentic and bound to the user, not expired, record intact, key whitelisted and
 * not blacklisted, ticket authentic, batch known, amount within the batch's bounds, envelope id within the
 * batch's range. Not thread-safe: one per thread or operator instance.
 */
public final class OpenVerifier {
    private final TokenVerifier tokens;
    private final TicketOpener tickets;
    private final BatchCatalog batches;
    private final long maxTokenAgeMs;

    /**
     * @param batches        null to skip the batch checks (an edge without the batch config)
     * @param maxTokenAgeMs  how long after the shake an open is accepted, judged on the open's own time so a
     *                       replayed backlog is judged as it happened; 0 for no limit
     */
    public OpenVerifier(KeyRing ring, KeyBlacklist blacklist, BatchCatalog batches, long maxTokenAgeMs) {
        this.tokens = new TokenVerifier(ring);
        this.tickets = new TicketOpener(ring, blacklist);
        this.batches = batches;
        this.maxTokenAgeMs = maxTokenAgeMs;
    }

    public OpenVerdict verify(String token, String userId, long openTimeMs) {
        VerifiedToken t = tokens.verify(token, userId);
        if (!t.isValid()) {
            return OpenVerdict.rejected(t.reason());
        }
        if (maxTokenAgeMs > 0 && openTimeMs - t.shakeTimeMs() > maxTokenAgeMs) {
            return OpenVerdict.rejected(RejectReason.TOKEN_EXPIRED, null, t.shakeTimeMs(), t.edgeId());
        }
        OpenedTicket ticket = tickets.open(t.tokenBytes(), t.recordOffset());
        if (!ticket.isValid()) {
            return OpenVerdict.rejected(ticket.reason(), null, t.shakeTimeMs(), t.edgeId());
        }
        BatchConfig batch = null;
        if (batches != null) {
            batch = batches.get(ticket.batchId());
            if (batch == null) {
                return OpenVerdict.rejected(RejectReason.UNKNOWN_BATCH, ticket, t.shakeTimeMs(), t.edgeId());
            }
            if (ticket.amountFen() < batch.getMinFen() || ticket.amountFen() > batch.getMaxFen()) {
                return OpenVerdict.rejected(RejectReason.AMOUNT_OUT_OF_BOUNDS, ticket, t.shakeTimeMs(), t.edgeId());
            }
            if (!BatchCatalog.envelopeInBatch(batch, ticket.envelopeId())) {
                return OpenVerdict.rejected(RejectReason.NOT_PREGENERATED, ticket, t.shakeTimeMs(), t.edgeId());
            }
        }
        return new OpenVerdict(null, ticket, batch, t.shakeTimeMs(), t.edgeId());
    }
}
