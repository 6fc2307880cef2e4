package io.redpacket.settlement.functions;

import io.redpacket.settlement.VerifiedOpen;

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

    /** The keyed broadcast harness lacks numKeyedStateEntries(); ask the heap backend as the other harnesses do. */
    static int keyedStateEntries(org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness<?, ?, ?, ?> h) {
        return ((org.apache.flink.runtime.state.heap.HeapKeyedStateBackend<?>) h.getOperator().getKeyedStateBackend()).numKeyValueStateEntries();
    }
}
