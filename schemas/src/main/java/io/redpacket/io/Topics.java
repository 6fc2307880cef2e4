package io.redpacket.io;

/**
 * Kafka topics between the edge, settlement and the dashboard. Values are Avro single-object encoded
 * (the generated classes' {@code toByteBuffer()} / {@code fromByteBuffer()}), so every record carries its
 * schema fingerprint. Names are defaults; every process takes them from config.
 */
public final class Topics {
    private Topics() {}

    /** OpenEvent, keyed by the envelope id the edge decoded (decimal string), so replays meet in one partition. */
    public static final String OPENS = "redpacket.opens";
    /** CreditInstruction, keyed by envelope id; written transactionally, read with isolation.level=read_committed. */
    public static final String CREDITS = "redpacket.credits";
    /** RejectedOpen, keyed by open event id. */
    public static final String REJECTS = "redpacket.rejects";
    /** LiveMetric, keyed by source. */
    public static final String METRICS = "redpacket.metrics";
    /** ControlCommand, keyed by command id; one partition so every consumer sees commands in order. */
    public static final String CONTROL = "redpacket.control";
    /** LiveFlag, keyed by subject (the device); at least once, consumers dedupe on flagId. */
    public static final String FLAGS = "redpacket.flags";
}
