package io.redpacket.settlement.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.redpacket.avro.OpenEvent;
import io.redpacket.avro.RejectReason;
import io.redpacket.avro.RejectedOpen;
import io.redpacket.settlement.Fixtures;
import io.redpacket.settlement.Settings;
import io.redpacket.settlement.records.VerifiedOpen;
import io.redpacket.testkit.GeneratedCampaign;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class VerifyOpensHarnessTest {
    @TempDir
    Path tmp;

    @Test
    void everyKindOfBadTokenIsRejectedWithItsReasonAndGoodOnesCarryTheirRecord() throws Exception {
        GeneratedCampaign c = Fixtures.campaign(tmp.resolve("v1"));
        Settings settings = Fixtures.settings(c, Fixtures.passwordFile(tmp), Long.MAX_VALUE, Map.of(), 1);
        long shake = Fixtures.START_MS + 1_000;
        long open = shake + 2_000;
        long valid = Fixtures.envelope(0, 0);
        long s3 = Fixtures.envelope(2, 0); // sealed under key 2
        String goodToken = Fixtures.token(c, valid, "alice", shake);
        char[] tampered = goodToken.toCharArray();
        tampered[20] = tampered[20] == 'A' ? 'B' : 'A';
        byte[] resealed = Fixtures.resealed(c, valid + 1, c.amountFen(valid + 1) + 1);

        try (OneInputStreamOperatorTestHarness<OpenEvent, VerifiedOpen> h =
                ProcessFunctionTestHarnesses.forProcessFunction(new VerifyOpens(settings))) {
            h.processElement(Fixtures.open("ok", goodToken, "alice", open), open);
            h.processElement(Fixtures.open("other-user", goodToken, "mallory", open), open);
            h.processElement(Fixtures.open("tampered", new String(tampered), "alice", open), open);
            h.processElement(
                    Fixtures.open("expired", Fixtures.token(c, valid + 2, "carol", shake), "carol", shake + 700_000),
                    open);
            h.processElement(Fixtures.open("undecodable", "", "", open), open);
            // sealed with a real key: passes here; the claim step compares its record with generation's
            h.processElement(
                    Fixtures.open("resealed", Fixtures.token(c.ring, resealed, "bob", shake), "bob", open), open);
            // the live blacklist is the claim step's: here an open under any campaign key passes
            h.processElement(Fixtures.open("key-2", Fixtures.token(c, s3 + 1, "dave", shake), "dave", open), open);

            assertThat(h.extractOutputValues())
                    .extracting(v -> v.eventId, v -> v.envelopeId, v -> v.amountFen, v -> v.sponsorId, v -> v.channel)
                    .containsExactly(
                            tuple("ok", valid, c.amountFen(valid), "s1", "cash"),
                            tuple("resealed", valid + 1, c.amountFen(valid + 1) + 1, "s1", "cash"),
                            tuple("key-2", s3 + 1, c.amountFen(s3 + 1), "s3", "cash"));
            assertThat(h.extractOutputValues())
                    .extracting(v -> v.record)
                    .containsExactly(Fixtures.record(c, valid), resealed, Fixtures.record(c, s3 + 1));
            assertThat(h.getSideOutput(Outputs.REJECTS))
                    .extracting(StreamRecord::getValue)
                    .extracting(RejectedOpen::getOpenEventId, RejectedOpen::getReason)
                    .containsExactly(
                            tuple("other-user", RejectReason.TOKEN_NOT_AUTHENTIC),
                            tuple("tampered", RejectReason.TOKEN_NOT_AUTHENTIC),
                            tuple("expired", RejectReason.TOKEN_EXPIRED),
                            tuple("undecodable", RejectReason.MALFORMED_TOKEN));
            assertThat(h.getSideOutput(Outputs.REJECTS))
                    .filteredOn(r -> r.getValue().getOpenEventId().equals("undecodable"))
                    .allSatisfy(r -> assertThat(r.getValue().getDetail()).startsWith(Outputs.FINAL_FAILURE));
        }
    }
}
