package io.redpacket.settlement.functions;

import io.redpacket.settlement.rules.Retention;
import java.util.List;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;

/**
 * A keyed broadcast operator whose keyed state all goes at one instant, the campaign's retention end, without a
 * timer per key: one processing-time callback of the operator walks its keys once and clears them. A timer per key
 * (the design before issue 18) cost a RocksDB write per new user, in a store of its own that compaction then
 * rewrote, for 1e8 timers that all fire at the same instant anyway. The callback is not checkpointed: every start
 * and restore registers it again from the retention end (at once when it has passed).
 *
 * <p>The function tells which of its keyed states to clear ({@link Retained#retainedState()}); the function itself
 * also treats every element after the retention end as expired, so nothing is created once the state is gone.
 */
public class RetainedKeyedBroadcastOperator<K, I, B, O> extends CoBroadcastWithKeyedOperator<K, I, B, O> {
    /** A function whose keyed state lives until the campaign's retention end. */
    public interface Retained {
        long retainUntilMs();

        List<StateDescriptor<? extends State, ?>> retainedState();
    }

    private final long retainUntilMs;
    private final List<StateDescriptor<? extends State, ?>> retained;

    public <F extends KeyedBroadcastProcessFunction<K, I, B, O> & Retained> RetainedKeyedBroadcastOperator(
            F function, List<MapStateDescriptor<?, ?>> broadcastState) {
        super(function, broadcastState);
        this.retainUntilMs = function.retainUntilMs();
        this.retained = function.retainedState();
    }

    @Override
    public void open() throws Exception {
        super.open();
        if (retainUntilMs != Long.MAX_VALUE) {
            long now = getProcessingTimeService().getCurrentProcessingTime();
            getProcessingTimeService().registerTimer(Retention.cleanupAt(retainUntilMs, now), t -> clearAll());
        }
    }

    /** Clears every key's retained state (RocksDB: one pass over the keys; runs once per campaign). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    void clearAll() throws Exception {
        for (StateDescriptor descriptor : retained) {
            getKeyedStateBackend()
                    .applyToAllKeys(
                            VoidNamespace.INSTANCE,
                            VoidNamespaceSerializer.INSTANCE,
                            descriptor,
                            (key, state) -> ((State) state).clear());
        }
    }
}
