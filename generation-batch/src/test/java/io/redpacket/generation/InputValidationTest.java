package io.redpacket.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.redpacket.cli.BadInputException;
import io.redpacket.generation.input.Budget;
import io.redpacket.generation.input.BudgetCsv;
import io.redpacket.generation.input.InputValidator;
import io.redpacket.generation.input.Problems;
import io.redpacket.generation.input.ValidatedInputs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every validation rule, each with the message a user sees ({@code file:line: field: message}). */
class InputValidationTest {
    static final String BUDGET = """
            sponsor_id,sponsor_name,payment_order,envelope_account,funded_fen
            SP1,Acme,PO-1,ACC-1,1000000
            SP2,"Beer, Ltd.",PO-2,ACC-2,500000
            """;
    static final String SLOTS = """
            campaign: c1
            slots:
              - {id: a, start: "2027-02-05T20:00:00+08:00", end: "2027-02-05T20:30:00+08:00"}
              - {id: b, start: "2027-02-05T20:30:00+08:00", end: 1801832400000}
            """;
    static final String VALID_ALLOCATIONS = """
            variants:
              - name: main
                allocations:
                  - {slot: a, sponsor: SP1, type: picture, total_fen: 600000, count: 1000, min_fen: 100, max_fen: 1000}
                  - {slot: b, sponsor: SP1, type: video, total_fen: 400000, count: 1000, min_fen: 100, max_fen: 1000}
                  - {slot: b, sponsor: SP2, type: brand_logo, total_fen: 500000, count: 2000, min_fen: 1, max_fen: 500}
            """;

    @TempDir
    Path dir;

    @Test
    void shippedSamplesAreValid() throws Exception {
        ValidatedInputs demo =
                InputValidator.validate(Path.of("samples/demo-budget.csv"), Path.of("samples/demo-script.yaml"));
        assertThat(demo.script().variants()).hasSize(2);
        assertThat(demo.budget().sponsor("SP004").getSponsorName()).isEqualTo("Lucky Noodles, Ltd.");
        ValidatedInputs large =
                InputValidator.validate(Path.of("samples/large-budget.csv"), Path.of("samples/large-script.yaml"));
        assertThat(large.budget().lines()).hasSize(300);
        assertThat(large.script().variants().get(0).allocations()).hasSizeGreaterThan(600);
    }

    @Test
    void validInputsPass() throws Exception {
        ValidatedInputs in = validate(BUDGET, SLOTS + VALID_ALLOCATIONS);
        assertThat(in.script().campaignId()).isEqualTo("c1");
        assertThat(in.script().variants().get(0).allocations()).hasSize(3);
    }

    @Test
    void budgetMissingColumn() throws Exception {
        assertThat(problems(
                        "sponsor_id,sponsor_name,payment_order,envelope_account\nSP1,A,PO,ACC\n",
                        SLOTS + VALID_ALLOCATIONS))
                .contains(
                        "budget.csv:1: header: missing column funded_fen (expected sponsor_id, sponsor_name, payment_order, envelope_account, funded_fen)");
    }

    @Test
    void budgetAmountsMustBePositiveIntegerFen() throws Exception {
        List<String> p = problems(
                BUDGET + "SP3,C,PO-3,ACC-3,12.50\nSP4,D,PO-4,ACC-4,-5\nSP5,E,PO-5,ACC-5,0\n",
                SLOTS + VALID_ALLOCATIONS);
        assertThat(p)
                .contains(
                        "budget.csv:4: funded_fen: '12.50' is not an integer amount in fen",
                        "budget.csv:5: funded_fen: -5 must be a positive amount in fen",
                        "budget.csv:6: funded_fen: 0 must be a positive amount in fen");
    }

    @Test
    void budgetRequiredFieldsAndShape() throws Exception {
        List<String> p = problems(
                BUDGET + "SP3,,PO-3,ACC-3,100\nSP4,D,PO-4\nSP5,\"E,PO-5,ACC-5,100\n", SLOTS + VALID_ALLOCATIONS);
        assertThat(p)
                .contains(
                        "budget.csv:4: sponsor_name: required, is empty",
                        "budget.csv:5: line: 3 fields, header has 5",
                        "budget.csv:6: line: unbalanced quotes: a quoted field opened here is still open at the end of the file");
    }

    @Test
    void quotedFieldsMayHoldCommasQuotesAndLineBreaksAndLinesAreCountedFromTheFile() throws Exception {
        String budget =
                "\uFEFF" + BUDGET + "SP3,\"Acme, \"\"East\"\"\nDivision\",PO-3,ACC-3,100\n\nSP4,D,PO-4,ACC-4,12.5\n";
        Budget b = BudgetCsv.read(
                new java.io.BufferedReader(new java.io.StringReader(budget)), "budget.csv", new Problems());
        assertThat(b.sponsor("SP3").getSponsorName()).isEqualTo("Acme, \"East\"\nDivision");
        // SP3 spans lines 4-5, line 6 is blank: SP4 is on line 7.
        assertThat(problems(budget, SLOTS + VALID_ALLOCATIONS))
                .contains("budget.csv:7: funded_fen: '12.5' is not an integer amount in fen");
    }

    @Test
    void textAfterAClosingQuoteIsLocated() throws Exception {
        assertThat(problems(BUDGET + "SP3,\"C\"x,PO-3,ACC-3,100\n", SLOTS + VALID_ALLOCATIONS))
                .contains(
                        "budget.csv:4: line: text after a closing quote (a quoted field ends at its closing quote; a quote inside it is doubled)");
    }

    @Test
    void anUnreadableBudgetDoesNotCascadeIntoTheScript() throws Exception {
        assertThat(problems("sponsor_id,sponsor_name\nSP1,Acme\n", SLOTS + VALID_ALLOCATIONS))
                .hasSize(3)
                .allMatch(s -> s.startsWith("budget.csv:1: header: missing column"));
        assertThat(problems(BUDGET.replace("500000", "5OOOOO"), SLOTS + VALID_ALLOCATIONS))
                .containsExactly("budget.csv:3: funded_fen: '5OOOOO' is not an integer amount in fen");
    }

    @Test
    void budgetIdsAreUnique() throws Exception {
        List<String> p =
                problems(BUDGET + "SP1,Again,PO-9,ACC-9,100\nSP9,Other,PO-1,ACC-9,100\n", SLOTS + VALID_ALLOCATIONS);
        assertThat(p)
                .contains(
                        "budget.csv:4: sponsor_id: duplicate sponsor SP1 (first on line 2)",
                        "budget.csv:5: payment_order: duplicate payment order PO-1 (first on line 2)");
    }

    @Test
    void scriptSyntaxErrorIsLocated() throws Exception {
        assertThat(problems(BUDGET, "campaign: c1\nslots: [\n  {id: a\n"))
                .singleElement()
                .asString()
                .startsWith("script.yaml:")
                .contains(": syntax: ");
    }

    @Test
    void scriptRequiredFieldsUnknownFieldsAndNumbers() throws Exception {
        List<String> p = problems(BUDGET, SLOTS + """
                variants:
                  - name: main
                    allocations:
                      - {slot: a, sponsor: SP1, type: picture, totl_fen: 600000, count: 1000, min_fen: 100, max_fen: 1000}
                      - {slot: a, sponsor: SP2, type: sticker, total_fen: 500000, count: many, min_fen: 0, max_fen: 1000}
                """);
        assertThat(p)
                .contains(
                        "script.yaml:8: variants[main].allocations[0].totl_fen: unknown field (known: channel, count, max_fen, min_fen, slot, sponsor, total_fen, type)",
                        "script.yaml:8: variants[main].allocations[0].total_fen: required, is missing",
                        "script.yaml:9: variants[main].allocations[1].type: unknown type 'sticker' (known: picture, video, brand_logo)",
                        "script.yaml:9: variants[main].allocations[1].count: 'many' is not an integer",
                        "script.yaml:9: variants[main].allocations[1].min_fen: 0 must be positive");
        // the sponsors whose allocations could not be read are not judged on their totals
        assertThat(p).noneMatch(s -> s.contains("difference"));
    }

    @Test
    void slotsMustBeOrderedNonOverlappingAndUnique() throws Exception {
        List<String> p = problems(BUDGET, """
                campaign: c1
                slots:
                  - {id: a, start: "2027-02-05T20:00:00+08:00", end: "2027-02-05T20:30:00+08:00"}
                  - {id: b, start: "2027-02-05T20:20:00+08:00", end: "2027-02-05T21:00:00+08:00"}
                  - {id: c, start: "2027-02-05T22:00:00+08:00", end: "2027-02-05T21:30:00+08:00"}
                  - {id: a, start: "2027-02-05T23:00:00+08:00", end: "2027-02-05T23:30:00+08:00"}
                  - {id: d, start: "tonight", end: "2027-02-05T23:30:00+08:00"}
                  - {id: "../x", start: "2027-02-06T00:00:00+08:00", end: "2027-02-06T00:30:00+08:00"}
                """ + VALID_ALLOCATIONS);
        assertThat(p)
                .contains(
                        "script.yaml:4: slots.start: slot b overlaps slot a (line 3) by 600000 ms",
                        "script.yaml:5: slots.end: slot c ends at or before its start",
                        "script.yaml:6: slots.id: duplicate slot a (first on line 3)",
                        "script.yaml:7: slots[4].start: 'tonight' is not a time (ISO-8601 with offset, e.g. 2027-02-16T20:00:00+08:00, or epoch ms)",
                        "script.yaml:8: slots.id: '../x' must be 1-64 of A-Z a-z 0-9 . _ - (it names a directory)");
    }

    @Test
    void allocationsMustReferToKnownSlotsAndSponsorsOnce() throws Exception {
        List<String> p = problems(BUDGET, SLOTS + """
                variants:
                  - name: main
                    allocations:
                      - {slot: a, sponsor: SP1, type: picture, total_fen: 600000, count: 1000, min_fen: 100, max_fen: 1000}
                      - {slot: b, sponsor: SP1, type: video, total_fen: 200000, count: 1000, min_fen: 100, max_fen: 1000}
                      - {slot: b, sponsor: SP1, type: Video, total_fen: 200000, count: 1000, min_fen: 100, max_fen: 1000}
                      - {slot: z, sponsor: SP2, type: brand_logo, total_fen: 500000, count: 2000, min_fen: 1, max_fen: 500}
                      - {slot: a, sponsor: SP7, type: picture, total_fen: 100, count: 1, min_fen: 1, max_fen: 100}
                """);
        assertThat(p)
                .contains(
                        "script.yaml:10: variants[main].allocations[2]: duplicate allocation for slot b, sponsor SP1, type VIDEO (first on line 9)",
                        "script.yaml:11: variants[main].allocations[3].slot: unknown slot z (slots: a, b)",
                        "script.yaml:12: variants[main].allocations[4].sponsor: sponsor SP7 is not in the budget "
                                + dir.resolve("budget.csv"));
    }

    @Test
    void everyAllocationMustBeFeasible() throws Exception {
        List<String> p = problems(BUDGET, SLOTS + """
                variants:
                  - name: main
                    allocations:
                      - {slot: a, sponsor: SP1, type: picture, total_fen: 50000, count: 1000, min_fen: 100, max_fen: 1000}
                      - {slot: b, sponsor: SP1, type: video, total_fen: 950000, count: 10, min_fen: 100, max_fen: 1000}
                      - {slot: b, sponsor: SP2, type: picture, total_fen: 400000, count: 100, min_fen: 5000, max_fen: 10}
                      - {slot: a, sponsor: SP2, type: video, total_fen: 100000, count: 1, min_fen: 1, max_fen: 20000000}
                """);
        assertThat(p)
                .contains(
                        "script.yaml:8: variants[main].allocations[0].total_fen: infeasible: 50000 fen is less than count x min = 1000 x 100 = 100000 fen",
                        "script.yaml:9: variants[main].allocations[1].total_fen: infeasible: 950000 fen is more than count x max = 10 x 1000 = 10000 fen",
                        "script.yaml:10: variants[main].allocations[2].min_fen: min 5000 fen is above max 10 fen",
                        "script.yaml:11: variants[main].allocations[3].max_fen: 20000000 exceeds the record's largest amount 16777215 fen");
    }

    @Test
    void envelopeIdsMustFitTheRecord() throws Exception {
        List<String> p = problems(BUDGET.replace("1000000", "1099511627777"), SLOTS + """
                variants:
                  - name: main
                    allocations:
                      - {slot: a, sponsor: SP1, type: picture, total_fen: 1099511627777, count: 1099511627777, min_fen: 1, max_fen: 1}
                      - {slot: b, sponsor: SP2, type: brand_logo, total_fen: 500000, count: 2000, min_fen: 1, max_fen: 500}
                """);
        assertThat(p)
                .containsExactly(
                        "script.yaml:8: variants[main].allocations[0].count: 1099511627777 exceeds the record's envelope id space 1099511627776",
                        "script.yaml:6: variants[main].allocations: envelope ids would reach 1099511629777 (with the variants before it), but the record allows at most 1099511627776");
    }

    @Test
    void scriptTotalsMustEqualTheBudgetPerSponsor() throws Exception {
        List<String> p = problems(BUDGET, SLOTS + """
                variants:
                  - name: main
                    allocations:
                      - {slot: a, sponsor: SP1, type: picture, total_fen: 600000, count: 1000, min_fen: 100, max_fen: 1000}
                      - {slot: b, sponsor: SP1, type: video, total_fen: 400001, count: 1000, min_fen: 100, max_fen: 1000}
                  - name: lean
                    allocations:
                      - {slot: a, sponsor: SP1, type: picture, total_fen: 1000000, count: 2000, min_fen: 100, max_fen: 1000}
                      - {slot: b, sponsor: SP2, type: picture, total_fen: 499000, count: 1000, min_fen: 100, max_fen: 1000}
                """);
        assertThat(p)
                .containsExactly(
                        "script.yaml:6: variants[main].allocations: sponsor SP1 (Acme): script allocates 1000001 fen, budget line 2 funds 1000000 fen, difference +1 fen (over-allocated)",
                        "script.yaml:6: variants[main].allocations: sponsor SP2 (Beer, Ltd.): script allocates 0 fen, budget line 3 funds 500000 fen, difference -500000 fen (under-allocated)",
                        "script.yaml:10: variants[lean].allocations: sponsor SP2 (Beer, Ltd.): script allocates 499000 fen, budget line 3 funds 500000 fen, difference -1000 fen (under-allocated)");
    }

    @Test
    void variantsNeedUniqueDirectorySafeNames() throws Exception {
        String v = VALID_ALLOCATIONS.substring("variants:\n".length());
        List<String> p =
                problems(BUDGET, SLOTS + "variants:\n" + v + v + v.replace("name: main", "name: \"my variant\""));
        assertThat(p)
                .contains(
                        "script.yaml:11: variants[main].name: duplicate variant main (first on line 6)",
                        "script.yaml:16: variants[my variant].name: 'my variant' must be 1-64 of A-Z a-z 0-9 . _ - (it names a directory)");
    }

    @Test
    void everyProblemIsReportedAtOnce() throws Exception {
        List<String> p = problems(BUDGET + "SP3,C,PO-3,ACC-3,abc\n", SLOTS.replace("id: b", "id: a") + """
                variants:
                  - name: main
                    allocations:
                      - {slot: a, sponsor: SP1, type: gif, total_fen: 600000, count: 1000, min_fen: 100, max_fen: 1000}
                      - {slot: a, sponsor: SP2, type: picture, total_fen: 5, count: 1000, min_fen: 100, max_fen: 1000}
                """);
        assertThat(p).hasSizeGreaterThanOrEqualTo(4);
        assertThat(p).allMatch(s -> s.matches("(budget\\.csv|script\\.yaml):\\d+: [^:]+: .+"));
    }

    @Test
    void allocationsAddingUpPastALongNameTheOverAllocatedSponsor() throws Exception {
        // Issue 14, item 2: each value fits, SP1's eleven allocations of 9e17 fen add up past 2^63 (this used to end in
        // ArithmeticException: long overflow and a stack trace).
        StringBuilder script = new StringBuilder("""
                campaign: c1
                slots:
                  - {id: a, start: 1801828800000, end: 1801830600000}
                  - {id: b, start: 1801830600000, end: 1801832400000}
                  - {id: c, start: 1801832400000, end: 1801834200000}
                  - {id: d, start: 1801834200000, end: 1801836000000}
                variants:
                  - name: main
                    allocations:
                """);
        int n = 0;
        for (String slot : List.of("a", "b", "c", "d")) {
            for (String type : List.of("picture", "video", "brand_logo")) {
                if (n++ < 11) {
                    script.append("      - {slot: ")
                            .append(slot)
                            .append(", sponsor: SP1, type: ")
                            .append(type)
                            .append(
                                    ", total_fen: 900000000000000000, count: 60000000000, min_fen: 15000000, max_fen: 15000000}\n");
                }
            }
        }
        script.append(
                "      - {slot: d, sponsor: SP2, type: brand_logo, total_fen: 500000, count: 2000, min_fen: 1, max_fen: 500}\n");
        List<String> p = problems(BUDGET, script.toString());
        assertThat(p)
                .containsExactly(
                        "script.yaml:8: variants[main].allocations: allocates 9900000000000500000 fen in all, more than a campaign variant may hold (9223372036854775807 fen)",
                        "script.yaml:8: variants[main].allocations: sponsor SP1 (Acme): script allocates 9900000000000000000 fen, budget line 2 funds 1000000 fen,"
                                + " difference +9899999999999000000 fen (over-allocated)");
    }

    @Test
    void numbersOf19DigitsAreTooLargeEvenWhenTheyFitALong() throws Exception {
        // Issue 14, item 9: 1e18 fits a long but is past the documented limit; it used to read "is not an integer
        // amount in fen".
        List<String> p = problems(
                BUDGET.replace("1000000", "1000000000000000000"),
                SLOTS + VALID_ALLOCATIONS.replace("count: 2000", "count: 99999999999999999999"));
        assertThat(p)
                .contains(
                        "budget.csv:2: funded_fen: '1000000000000000000' is too large: at most 999,999,999,999,999,999 (18 digits)",
                        "script.yaml:10: variants[main].allocations[2].count: '99999999999999999999' is too large: at most 999,999,999,999,999,999 (18 digits)");
        assertThat(problems(BUDGET.replace("1000000", "12.50"), SLOTS + VALID_ALLOCATIONS))
                .contains("budget.csv:2: funded_fen: '12.50' is not an integer amount in fen");
    }

    @Test
    void aDirectoryGivenAsAnInputIsNamedAsADirectory() throws Exception {
        // Issue 14, item 9: it used to say "input file does not exist".
        Files.writeString(dir.resolve("script.yaml"), SLOTS + VALID_ALLOCATIONS);
        assertThat(catchThrowableOfType(
                        java.nio.file.NoSuchFileException.class,
                        () -> InputValidator.validate(dir, dir.resolve("script.yaml"))))
                .hasMessage(dir + ": is a directory; expected the budget file");
        Files.writeString(dir.resolve("budget.csv"), BUDGET);
        assertThat(catchThrowableOfType(
                        java.nio.file.NoSuchFileException.class,
                        () -> InputValidator.validate(dir.resolve("budget.csv"), dir)))
                .hasMessage(dir + ": is a directory; expected the funding script file");
    }

    @Test
    void missingInputFileIsBadInput() {
        assertThat(catchThrowableOfType(
                        java.nio.file.NoSuchFileException.class,
                        () -> InputValidator.validate(dir.resolve("nope.csv"), dir.resolve("nope.yaml"))))
                .isNotNull();
    }

    private ValidatedInputs validate(String budget, String script) throws Exception {
        Files.writeString(dir.resolve("budget.csv"), budget);
        Files.writeString(dir.resolve("script.yaml"), script);
        return InputValidator.validate(dir.resolve("budget.csv"), dir.resolve("script.yaml"));
    }

    /** The problems, with the directory prefix cut so expectations read like the user's message. */
    private List<String> problems(String budget, String script) throws Exception {
        BadInputException e = catchThrowableOfType(BadInputException.class, () -> validate(budget, script));
        assertThat(e).as("expected bad input").isNotNull();
        String prefix = dir.toString() + "/";
        return e.problems().stream()
                .map(s -> s.startsWith(prefix) ? s.substring(prefix.length()) : s)
                .toList();
    }
}
