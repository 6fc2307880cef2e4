package io.redpacket.settlement.metrics;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Counts elements into a {@link MetricTally} in the operator chain that produced them (no extra network hop
 * per element) and hands the tally on once per interval, from the task's own thread via its processing-time
 * service, so quiet periods are reported too. Stateless: a restart loses at most one interval of counts.
 */
public class TallyOperator<T> extends AbstractStreamOperator<MetricTally>
        implements OneInputStreamOperator<T, MetricTally> {
    private final Tallier<T> tallier;
    private final long intervalMs;
    private transient MetricTally tally;

    public TallyOperator(Tallier<T> tallier, long intervalMs) {
        this.tallier = tallier;
        this.intervalMs = intervalMs;
    }

    @Override
    public void open() throws Exception {
        super.open();
        tally = new MetricTally();
        schedule();
    }

    private void schedule() {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        getProcessingTimeService().registerTimer(now + intervalMs, this::flush);
    }

    private void flush(long timestamp) {
        if (!tally.isEmpty()) {
            output.collect(new StreamRecord<>(tally));
            tally = new MetricTally();
        }
        schedule();
    }

    @Override
    public void processElement(StreamRecord<T> element) {
        tallier.add(element.getValue(), tally, 0);
    }

    @Override
    public void finish() throws Exception {
        if (!tally.isEmpty()) {
            output.collect(new StreamRecord<>(tally));
            tally = new MetricTally();
        }
        super.finish();
    }
}
