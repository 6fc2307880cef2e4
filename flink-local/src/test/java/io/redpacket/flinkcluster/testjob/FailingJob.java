package io.redpacket.flinkcluster.testjob;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** A job whose tasks fail while opening, with the message given as its argument (the test looks for it). */
public final class FailingJob {
    public static void main(String[] args) throws Exception {
        String message = args[0];
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.fromSequence(0, 1_000_000)
                .name("numbers")
                .uid("numbers")
                .map(new Failing(message))
                .returns(Types.LONG)
                .name("failing")
                .uid("failing")
                .sinkTo(new org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink<>())
                .name("discard")
                .uid("discard");
        env.execute("failing-job");
    }

    static final class Failing extends RichMapFunction<Long, Long> {
        private final String message;

        Failing(String message) {
            this.message = message;
        }

        @Override
        public void open(OpenContext context) {
            throw new IllegalStateException(message);
        }

        @Override
        public Long map(Long value) {
            return value;
        }
    }
}
