package io.redpacket.flinkcluster.testjob;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * A small stateful streaming job for the cluster tests: a rate-limited sequence 0, 1, 2, ... (its position is
 * checkpointed), keyed by value mod 16, a per-key counter in keyed state, and lines "key,count,value" to
 * {@link LinesSink}. Restored from a savepoint it carries on: every key's counter continues where it stopped and no
 * value is read twice. Checkpointing, state backend and storage come from the cluster's config.yaml.
 *
 * <p>Arguments: output directory, records per second (whole job).
 */
public final class CountingJob {
    static final int KEYS = 16;

    public static void main(String[] args) throws Exception {
        String out = args[0];
        double perSecond = Double.parseDouble(args[1]);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataGeneratorSource<Long> sequence =
                new DataGeneratorSource<>(i -> i, Long.MAX_VALUE, RateLimiterStrategy.perSecond(perSecond), Types.LONG);
        env.fromSource(sequence, WatermarkStrategy.noWatermarks(), "sequence")
                .uid("sequence")
                .keyBy(v -> v % KEYS, Types.LONG)
                .process(new CountPerKey())
                .name("count-per-key")
                .uid("count-per-key")
                .sinkTo(new LinesSink(out))
                .name("lines")
                .uid("lines");
        env.execute("counting-job");
    }

    static final class CountPerKey extends KeyedProcessFunction<Long, Long, String> {
        private transient ValueState<Long> count;

        @Override
        public void open(OpenContext context) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
        }

        @Override
        public void processElement(Long value, Context ctx, Collector<String> out) throws Exception {
            long c = (count.value() == null ? 0 : count.value()) + 1;
            count.update(c);
            out.collect(ctx.getCurrentKey() + "," + c + "," + value);
        }
    }
}
