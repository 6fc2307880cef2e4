package io.redpacket.reconciliation.scan;

/** Names of record problems that are not {@link io.redpacket.avro.RejectReason}s of the online path. */
public final class Problems {
    private Problems() {}

    /** Trailing bytes shorter than one record. */
    public static final String PARTIAL_RECORD = "PARTIAL_RECORD";
    /** Opens, but its batch id is not in batches.avro. */
    public static final String UNKNOWN_BATCH = "UNKNOWN_BATCH";
    /** Opens, but the amount is outside its batch's [minFen, maxFen]. */
    public static final String AMOUNT_OUT_OF_BOUNDS = "AMOUNT_OUT_OF_BOUNDS";
    /** Opens, but the envelope id is outside its batch's id range. */
    public static final String ENVELOPE_ID_OUT_OF_BATCH_RANGE = "ENVELOPE_ID_OUT_OF_BATCH_RANGE";
    /** Opens, but sits in the file of another slot than its batch's. */
    public static final String SLOT_MISMATCH = "SLOT_MISMATCH";
}
