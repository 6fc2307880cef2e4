package io.redpacket.settlement.records;

/**
 * One envelope record as generation wrote it (26 bytes) with its envelope id, read from the variant's envelope
 * files to be loaded into the claim step's keyed state.
 */
public class PregeneratedEnvelope {
    public long envelopeId;
    public byte[] record;

    public PregeneratedEnvelope() {}

    public PregeneratedEnvelope(long envelopeId, byte[] record) {
        this.envelopeId = envelopeId;
        this.record = record;
    }
}
