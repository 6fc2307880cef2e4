package io.redpacket.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** The crowd and the gateway read the edge's answers as JSON: escaped characters, nesting and non-JSON bodies included. */
class AnswersTest {
    @Test
    void readsWhatTheEdgeWritesIncludingEscapedQuotesAndBackslashes() {
        String detail = "state \"not\" authentic, \\ again\n";
        // As the edge's writer (dispatch-edge http.Json) puts it on the wire.
        JsonNode j = Answers.answerOf(
                "{\"result\":\"nothing\",\"detail\":\"state \\\"not\\\" authentic, \\\\ again\\n\",\"nextShakeMs\":1500}");
        assertThat(Answers.field(j, "result", "error")).isEqualTo("nothing");
        assertThat(Answers.field(j, "detail", "")).isEqualTo(detail);
        assertThat(Answers.field(j, "nextShakeMs", null)).isEqualTo("1500");
        assertThat(Answers.field(j, "token", null)).isNull();
    }

    @Test
    void readsOnlyTopLevelFieldsAndTreatsNonJsonAsAnAnswerWithoutFields() {
        JsonNode j = Answers.answerOf(
                "{\"extra\":{\"result\":\"envelope\",\"token\":\"T\"},\"result\":\"capped\",\"amountFen\":-5,\"n\":null}");
        assertThat(Answers.field(j, "result", "error")).isEqualTo("capped");
        assertThat(Answers.field(j, "token", null)).isNull();
        assertThat(Answers.field(j, "extra", "none")).isEqualTo("none");
        assertThat(Answers.field(j, "n", "none")).isEqualTo("none");
        assertThat(j.path("amountFen").asLong(0)).isEqualTo(-5);
        assertThat(Answers.field(Answers.answerOf("<html>502 Bad Gateway</html>"), "result", "error"))
                .isEqualTo("error");
        assertThat(Answers.field(Answers.answerOf(""), "result", "error")).isEqualTo("error");
        assertThat(Answers.field(Answers.answerOf("{\"result\":null,\"ok\":true}"), "result", null))
                .isNull();
    }
}
