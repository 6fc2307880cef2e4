package io.redpacket.settlement.functions;

import io.redpacket.settlement.records.VerifiedOpen;

final class HarnessSupport {
    private HarnessSupport() {}

    static VerifiedOpen open(long envelopeId, String user, String sponsor, String channel, long amountFen) {
        VerifiedOpen v = new VerifiedOpen();
        v.eventId = "e-" + envelopeId + "-" + user;
        v.userId = user;
        v.deviceId = "d";
        v.ip = "10.0.0.1";
        v.edgeId = 1;
        v.openTimeMs = 1_000;
        v.envelopeId = envelopeId;
        v.amountFen = amountFen;
        v.batchId = 1;
        v.keyId = 1;
        v.sponsorId = sponsor;
        v.envelopeAccount = "acc-" + sponsor;
        v.channel = channel;
        return v;
    }

    /**
     * An opened harness of a keyed broadcast function, built without Flink's type extraction (which would look for
     * flink-avro when the output is a generated Avro class; the job names its output types instead).
     */
    static <K, I, B, O> org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness<K, I, B, O> keyedBroadcast(
            org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction<K, I, B, O> function,
            org.apache.flink.api.java.functions.KeySelector<I, K> key,
            org.apache.flink.api.common.typeinfo.TypeInformation<K> keyType,
            org.apache.flink.api.common.typeutils.TypeSerializer<O> output,
            org.apache.flink.api.common.state.MapStateDescriptor<?, ?>... broadcast)
            throws Exception {
        return keyedBroadcast(
                new org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator<>(
                        function, java.util.List.of(broadcast)),
                key,
                keyType,
                output);
    }

    /** The same for a given operator (e.g. one that clears its state when retention ends). */
    static <K, I, B, O> org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness<K, I, B, O> keyedBroadcast(
            org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator<K, I, B, O> operator,
            org.apache.flink.api.java.functions.KeySelector<I, K> key,
            org.apache.flink.api.common.typeinfo.TypeInformation<K> keyType,
            org.apache.flink.api.common.typeutils.TypeSerializer<O> output)
            throws Exception {
        var h = new org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness<>(
                operator, key, keyType, 1, 1, 0);
        h.setup(output);
        h.open();
        return h;
    }

    /** The keyed broadcast harness lacks numKeyedStateEntries(); ask the heap backend as the other harnesses do. */
    static int keyedStateEntries(org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness<?, ?, ?, ?> h) {
        return ((org.apache.flink.runtime.state.heap.HeapKeyedStateBackend<?>)
                        h.getOperator().getKeyedStateBackend())
                .numKeyValueStateEntries();
    }
}
