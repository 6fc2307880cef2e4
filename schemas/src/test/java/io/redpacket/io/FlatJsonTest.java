package io.redpacket.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FlatJsonTest {
    @Test
    void readsStringAndIntegerFieldsOfAnEdgeAnswer() {
        assertThat(FlatJson.fields("{\"result\":\"envelope\",\"envelopeId\":42,\"amountFen\":-7,\"token\":\"a-b_c\"}"))
                .isEqualTo(Map.of("result", "envelope", "envelopeId", "42", "amountFen", "-7", "token", "a-b_c"));
        assertThat(FlatJson.fields("{}")).isEmpty();
    }
}
