package io.redpacket.settlement.records;

import io.redpacket.settlement.rules.EnvelopeClaims;

/**
 * What the claim step is keyed on, by envelope block: either a record generation wrote (loaded once, at the
 * start) or a verified open that wants to claim its envelope. One type, so both arrive on the step's keyed input.
 */
@org.apache.flink.api.common.typeinfo.TypeInfo(ClaimInputSerializer.Factory.class)
public final class ClaimInput {
    /** Set for a pre-generated record, else null. */
    public final PregeneratedEnvelope envelope;
    /** Set for an open, else null. */
    public final VerifiedOpen open;

    private ClaimInput(PregeneratedEnvelope envelope, VerifiedOpen open) {
        this.envelope = envelope;
        this.open = open;
    }

    public static ClaimInput of(PregeneratedEnvelope envelope) {
        return new ClaimInput(envelope, null);
    }

    public static ClaimInput of(VerifiedOpen open) {
        return new ClaimInput(null, open);
    }

    public long envelopeId() {
        return envelope != null ? envelope.envelopeId : open.envelopeId;
    }

    /** The key of the claim step. */
    public static long blockOf(ClaimInput in) {
        return EnvelopeClaims.blockOf(in.envelopeId());
    }
}
