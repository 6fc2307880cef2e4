package io.redpacket.reconciliation.scan;

/** What scanning one envelope file reports. Implementations turn the calls into rows; the scanner has no Spark types. */
public interface ScanSink {
    /** Once per file, after its last record. {@code keyIds} are the keys of records that opened, ascending. */
    void file(String fileName, String slotId, long recordCount, long byteSize, String checksum, int[] keyIds);

    /** Records of one batch in this file that opened authentically: count and amount. */
    void batch(String fileName, int batchId, long count, long amountFen);

    /** A record that does not open; {@code reason} is a RejectReason name or {@link Problems#PARTIAL_RECORD}. */
    void failure(String fileName, long recordIndex, String reason, int headerKeyId, int headerBatchId);

    /** A record that opens but breaks a rule of its batch; see {@link Problems}. */
    void violation(
            String fileName, long recordIndex, String reason, long envelopeId, long amountFen, int batchId, int keyId);

    /** A record whose id the settlement logs may reference (a Bloom filter hit): what generation put in it. */
    void referenced(String fileName, long envelopeId, long amountFen, int batchId, int keyId);

    /** The sorted ids of this file falling in one id bucket, encoded by {@link IdRuns}. */
    void ids(String fileName, long bucket, byte[] blob);
}
