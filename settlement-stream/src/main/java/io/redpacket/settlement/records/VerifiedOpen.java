package io.redpacket.settlement.records;

import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.CreditInstruction;
import io.redpacket.avro.OpenEvent;
import io.redpacket.avro.RejectReason;
import io.redpacket.avro.RejectedOpen;
import io.redpacket.envelope.OpenedTicket;

/**
 * An open whose token and ticket passed every local check: what the stateful steps (claim, caps, rate shaping)
 * need to decide and to credit. Until the claim step has compared it with the record generation wrote, it
 * carries the 26-byte record its token held; after that the record is dropped (null). Plain fields with a
 * hand-written serializer ({@link VerifiedOpenSerializer}): no Avro and no reflection on the hot network path.
 */
@org.apache.flink.api.common.typeinfo.TypeInfo(VerifiedOpenSerializer.Factory.class)
public class VerifiedOpen {
    public String eventId;
    public String userId;
    public String deviceId;
    public String ip;
    public int edgeId;
    public long openTimeMs;
    public long envelopeId;
    public long amountFen;
    public int batchId;
    public int keyId;
    public String sponsorId;
    public String envelopeAccount;
    public String channel;
    /** The envelope record the token carried (26 bytes), until the claim step has checked it; then null. */
    public byte[] record;
    /** Set by the claim step: this very event claimed the envelope before (an identical redelivery). */
    public boolean redelivery;

    public VerifiedOpen() {}

    public static VerifiedOpen of(OpenEvent e, OpenedTicket t, BatchConfig b, byte[] record) {
        VerifiedOpen v = new VerifiedOpen();
        v.eventId = e.getEventId();
        v.userId = e.getUserId();
        v.deviceId = e.getDeviceId();
        v.ip = e.getIp();
        v.edgeId = e.getEdgeId();
        v.openTimeMs = e.getOpenTimeMs();
        v.envelopeId = t.envelopeId();
        v.amountFen = t.amountFen();
        v.batchId = t.batchId();
        v.keyId = t.keyId();
        v.sponsorId = b.getSponsorId();
        v.envelopeAccount = b.getEnvelopeAccount();
        v.channel = b.getChannel();
        v.record = record;
        return v;
    }

    /**
     * What the live device flag reads of an open (device, account, time, amount), the rest left null: the event id,
     * address, sponsor, account and channel strings need not cross the network to the flag's keyed step.
     */
    public VerifiedOpen sighting() {
        VerifiedOpen s = new VerifiedOpen();
        s.deviceId = deviceId;
        s.userId = userId;
        s.openTimeMs = openTimeMs;
        s.amountFen = amountFen;
        return s;
    }

    /** The credit id is derived from the envelope id alone, so a payment back end can dedupe on it as well. */
    public static String creditId(long envelopeId) {
        return "env-" + envelopeId;
    }

    public CreditInstruction toCredit(long creditTimeMs) {
        // the all-fields constructor, not the builder: every credit takes this path, and the builder validates and
        // copies each field again (every field is set here, none is null)
        return new CreditInstruction(
                creditId(envelopeId),
                envelopeId,
                userId,
                amountFen,
                batchId,
                sponsorId,
                envelopeAccount,
                channel,
                eventId,
                edgeId,
                openTimeMs,
                creditTimeMs);
    }

    public RejectedOpen reject(RejectReason reason, String detail, long nowMs) {
        return RejectedOpen.newBuilder()
                .setOpenEventId(eventId)
                .setReason(reason)
                .setDetail(detail)
                .setUserId(userId)
                .setDeviceId(deviceId)
                .setIp(ip)
                .setEdgeId(edgeId)
                .setEnvelopeId(envelopeId)
                .setAmountFen(amountFen)
                .setBatchId(batchId)
                .setKeyId(keyId)
                .setOpenTimeMs(openTimeMs)
                .setRejectTimeMs(nowMs)
                .build();
    }

    /** A reject decided before the ticket could be trusted: the ticket's fields are filled only when known. */
    public static RejectedOpen reject(
            OpenEvent e, RejectReason reason, String detail, OpenedTicket ticketOrNull, long nowMs) {
        boolean known = ticketOrNull != null && ticketOrNull.isValid();
        return RejectedOpen.newBuilder()
                .setOpenEventId(e.getEventId())
                .setReason(reason)
                .setDetail(detail)
                .setUserId(e.getUserId())
                .setDeviceId(e.getDeviceId())
                .setIp(e.getIp())
                .setEdgeId(e.getEdgeId())
                .setEnvelopeId(known ? Long.valueOf(ticketOrNull.envelopeId()) : e.getEnvelopeId())
                .setAmountFen(known ? Long.valueOf(ticketOrNull.amountFen()) : e.getAmountFen())
                .setBatchId(known ? Integer.valueOf(ticketOrNull.batchId()) : e.getBatchId())
                .setKeyId(known ? Integer.valueOf(ticketOrNull.keyId()) : e.getKeyId())
                .setOpenTimeMs(e.getOpenTimeMs())
                .setRejectTimeMs(nowMs)
                .build();
    }
}
