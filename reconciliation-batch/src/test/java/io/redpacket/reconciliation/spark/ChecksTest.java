package io.redpacket.reconciliation.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.reconciliation.TestSpark;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The reconciliation checks as pure functions, on a few in-memory rows each (one shared local session). */
class ChecksTest {
    private static final SparkSession SPARK = TestSpark.session();

    private static Dataset<Row> table(String ddl, Object[]... rows) {
        return SPARK.createDataFrame(Arrays.stream(rows).map(RowFactory::create).toList(), StructType.fromDDL(ddl));
    }

    private static Map<String, Row> by(Dataset<Row> d, String... key) {
        Map<String, Row> out = new HashMap<>();
        for (Row r : d.collectAsList()) {
            StringBuilder k = new StringBuilder();
            for (String c : key) {
                k.append(k.length() == 0 ? "" : "/").append((Object) r.getAs(c));
            }
            out.put(k.toString(), r);
        }
        return out;
    }

    private static final String BUDGET = "sponsor_id STRING, sponsor_name STRING, funded_fen BIGINT";
    private static final String BATCHES =
            "batch_id INT, slot_id STRING, sponsor_id STRING, type STRING, count BIGINT, total_fen BIGINT";

    @Test
    void budgetScriptAndBatchesAgreePerSponsorOrTheSponsorIsNotOk() {
        Dataset<Row> budget =
                table(BUDGET, new Object[] {"a", "Tea", 600L}, new Object[] {"a", "Tea", 400L}, new Object[] {
                    "b", "Jade", 500L
                });
        Dataset<Row> allocations = table(
                "sponsor_id STRING, count BIGINT, total_fen BIGINT",
                new Object[] {"a", 10L, 1_000L},
                new Object[] {"b", 4L, 400L});
        Dataset<Row> batches = table(
                BATCHES,
                new Object[] {1, "s1", "a", "picture", 10L, 1_000L},
                new Object[] {2, "s1", "b", "video", 4L, 400L},
                new Object[] {3, "s1", "c", "video", 1L, 9L});

        Map<String, Row> r = by(Checks.budgetVsScript(budget, allocations, batches), "sponsor_id");

        assertThat(r.get("a").<Long>getAs("budget_fen")).isEqualTo(1_000L);
        assertThat(r.get("a").<Boolean>getAs("ok")).isTrue();
        assertThat(r.get("b").<Long>getAs("difference_fen")).isEqualTo(-100L);
        assertThat(r.get("b").<Boolean>getAs("ok")).isFalse();
        assertThat(r.get("c").<Boolean>getAs("ok"))
                .as("batches of a sponsor nobody funded")
                .isFalse();
    }

    @Test
    void whatDecryptionFoundIsComparedWithTheScriptPerBatch() {
        Dataset<Row> batches = table(BATCHES, new Object[] {1, "s1", "a", "picture", 10L, 1_000L}, new Object[] {
            2, "s1", "a", "video", 10L, 500L
        });
        Dataset<Row> fileBatches = table(
                "file_name STRING, batch_id INT, count BIGINT, amount_fen BIGINT",
                new Object[] {"f1", 1, 6L, 600L},
                new Object[] {"f2", 1, 4L, 400L},
                new Object[] {"f1", 2, 9L, 450L},
                new Object[] {"f2", 7, 1L, 5L});

        Map<String, Row> r = by(Checks.filesVsScript(batches, fileBatches), "batch_id");

        assertThat(r.get("1").<String>getAs("status")).isEqualTo("OK");
        assertThat(r.get("2").<String>getAs("status")).isEqualTo("MISMATCH");
        assertThat(r.get("2").<Long>getAs("count_difference")).isEqualTo(-1L);
        assertThat(r.get("2").<Long>getAs("fen_difference")).isEqualTo(-50L);
        assertThat(r.get("7").<String>getAs("status")).isEqualTo("NOT_IN_SCRIPT");
    }

    @Test
    void refundsAndPendingCloseTheMoneyEquationAndAForgedCreditBreaksItByItsAmount() {
        Dataset<Row> budget = table(BUDGET, new Object[] {"a", "Tea", 1_000L});
        Dataset<Row> generated =
                table("sponsor_id STRING, generated_count BIGINT, generated_fen BIGINT", new Object[] {"a", 10L, 900L});
        Dataset<Row> status = table(
                "envelope_id BIGINT, sponsor_id STRING, status STRING, amount_fen BIGINT",
                new Object[] {1L, "a", Checks.CREDITED, 100L},
                new Object[] {2L, "a", Checks.CREDITED, 80L},
                new Object[] {3L, "a", Checks.PENDING, 70L},
                new Object[] {4L, "a", Checks.REJECTED, 50L});
        Dataset<Row> credits =
                table("sponsor_id STRING, amount_fen BIGINT", new Object[] {"a", 100L}, new Object[] {"a", 80L});

        Dataset<Row> refunds = Checks.refunds(budget, generated, status);
        Map<String, Row> byReason = by(refunds, "reason");
        assertThat(byReason.get(Checks.REFUND_UNALLOCATED_BUDGET).<Long>getAs("amount_fen"))
                .isEqualTo(100L);
        assertThat(byReason.get(Checks.REFUND_NEVER_OPENED).<Long>getAs("envelopes"))
                .isEqualTo(6L);
        assertThat(byReason.get(Checks.REFUND_NEVER_OPENED).<Long>getAs("amount_fen"))
                .isEqualTo(600L);
        assertThat(byReason.get(Checks.REFUND_REJECTED).<Long>getAs("amount_fen"))
                .isEqualTo(50L);

        Map<String, Row> equation = by(Checks.moneyEquation(budget, credits, refunds, status), "scope");
        Row total = equation.get("TOTAL");
        assertThat(List.of(
                        total.<Long>getAs("credited_fen"),
                        total.<Long>getAs("refund_fen"),
                        total.<Long>getAs("pending_fen")))
                .containsExactly(180L, 750L, 70L);
        assertThat(total.<Long>getAs("difference_fen")).isZero();
        assertThat(total.<Boolean>getAs("holds")).isTrue();

        Dataset<Row> forged =
                credits.unionByName(table("sponsor_id STRING, amount_fen BIGINT", new Object[] {"a", 30L}));
        Map<String, Row> broken = by(Checks.moneyEquation(budget, forged, refunds, status), "scope");
        assertThat(broken.get("TOTAL").<Long>getAs("difference_fen")).isEqualTo(30L);
        assertThat(broken.get("SPONSOR").<Long>getAs("difference_fen"))
                .as("sponsor a, the only one")
                .isEqualTo(30L);
        assertThat(broken.get("SPONSOR").<Boolean>getAs("holds")).isFalse();
    }
}
