package io.redpacket.simulation.truth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrowdTruthTest {
    @Test
    void crowdTruthFindsWinnersAndReplayedEnvelopes(@TempDir Path dir) throws IOException {
        io.redpacket.io.AvroFiles.writeAll(
                dir.resolve(CrowdTruth.USERS_FILE),
                List.of(
                        new io.redpacket.avro.CrowdAccount(
                                "u1", "HONEST", false, "d1", "ip1", 1, "solo", null, List.of("d1"), List.of("ip1")),
                        new io.redpacket.avro.CrowdAccount(
                                "u2",
                                "REPLAY",
                                true,
                                "d2",
                                "ip2",
                                2,
                                "replayers",
                                "g1",
                                List.of("d2"),
                                List.of("ip2"))),
                io.redpacket.avro.CrowdAccount.getClassSchema());
        Files.writeString(
                dir.resolve("actions.csv"),
                String.join(
                        "\n",
                        "timeMs,userId,behaviour,action,edge,httpStatus,result,envelopeId,amountFen,detail",
                        "1,u1,HONEST,open,1,200,opened,11,100,",
                        "2,u2,REPLAY,open,2,200,opened,22,100,",
                        "3,u2,REPLAY,stolen-open,2,403,rejected,,,TOKEN_NOT_AUTHENTIC",
                        "4,u1,HONEST,shake,1,200,envelope,,,",
                        ""));
        CrowdTruth truth = CrowdTruth.read(dir);
        assertThat(truth.users()).isEqualTo(2);
        assertThat(truth.fraudsters()).isEqualTo(1);
        assertThat(truth.winnerOf(11)).isEqualTo("u1");
        assertThat(truth.replayedEnvelopes()).containsExactly(22L);
    }
}
