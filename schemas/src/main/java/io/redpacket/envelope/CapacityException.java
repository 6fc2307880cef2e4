package io.redpacket.envelope;

/** A value does not fit the envelope record format. Raised at sealing time, never at open time. */
public final class CapacityException extends IllegalArgumentException {
    private final String field;
    private final long value;

    public CapacityException(String field, long value, String allowed) {
        super(field + ": " + value + " does not fit the envelope format (allowed " + allowed + ")");
        this.field = field;
        this.value = value;
    }

    public String field() {
        return field;
    }

    public long value() {
        return value;
    }
}
