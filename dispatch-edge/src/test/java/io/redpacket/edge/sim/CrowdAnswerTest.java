package io.redpacket.edge.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.redpacket.edge.http.Json;
import org.junit.jupiter.api.Test;

/** The crowd reads the edge's answers as JSON: escaped characters, nesting and non-JSON bodies included. */
class CrowdAnswerTest {
    @Test
    void readsWhatTheEdgeWritesIncludingEscapedQuotesAndBackslashes() {
        String detail = "state \"not\" authentic, \\ again\n";
        JsonNode j = Crowd.answerOf(new Json().str("result", "nothing").str("detail", detail).num("nextShakeMs", 1500).toString());
        assertThat(Crowd.field(j, "result", "error")).isEqualTo("nothing");
        assertThat(Crowd.field(j, "detail", "")).isEqualTo(detail);
        assertThat(Crowd.field(j, "nextShakeMs", null)).isEqualTo("1500");
        assertThat(Crowd.field(j, "token", null)).isNull();
    }

    @Test
    void readsOnlyTopLevelFieldsAndTreatsNonJsonAsAnAnswerWithoutFields() {
        JsonNode j = Crowd.answerOf("{\"extra\":{\"result\":\"envelope\",\"token\":\"T\"},\"result\":\"capped\",\"amountFen\":-5,\"n\":null}");
        assertThat(Crowd.field(j, "result", "error")).isEqualTo("capped");
        assertThat(Crowd.field(j, "token", null)).isNull();
        assertThat(Crowd.field(j, "extra", "none")).isEqualTo("none");
        assertThat(Crowd.field(j, "n", "none")).isEqualTo("none");
        assertThat(j.path("amountFen").asLong(0)).isEqualTo(-5);
        assertThat(Crowd.field(Crowd.answerOf("<html>502 Bad Gateway</html>"), "result", "error")).isEqualTo("error");
        assertThat(Crowd.field(Crowd.answerOf(""), "result", "error")).isEqualTo("error");
    }
}
