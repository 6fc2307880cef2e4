package io.redpacket.generation.input;

import io.redpacket.avro.BudgetLine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads the budget as finance exports it: CSV (RFC 4180, read by Commons CSV: quoted fields may hold commas, quotes and
 * line breaks; UTF-8, optional BOM) with
 * a header naming the columns {@value #COLUMNS_TEXT} in any order; extra columns are ignored. Amounts are
 * integer fen. Problems go to {@link Problems}; lines with a problem are left out of the result.
 */
public final class BudgetCsv {
    public static final String SPONSOR_ID = "sponsor_id";
    public static final String SPONSOR_NAME = "sponsor_name";
    public static final String PAYMENT_ORDER = "payment_order";
    public static final String ENVELOPE_ACCOUNT = "envelope_account";
    public static final String FUNDED_FEN = "funded_fen";
    static final String COLUMNS_TEXT = "sponsor_id, sponsor_name, payment_order, envelope_account, funded_fen";
    private static final List<String> COLUMNS =
            List.of(SPONSOR_ID, SPONSOR_NAME, PAYMENT_ORDER, ENVELOPE_ACCOUNT, FUNDED_FEN);

    private BudgetCsv() {}

    public static Budget read(Path path, Problems problems) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            return read(in, path.toString(), problems);
        }
    }

    /** Reads from any source; {@code file} is what messages call it. */
    public static Budget read(BufferedReader in, String file, Problems problems) throws IOException {
        Budget budget = new Budget(file);
        in.mark(1);
        if (in.read() != '\uFEFF') {
            in.reset();
        }
        // RFC 4180 as Commons CSV reads it: quoted fields may hold commas, doubled quotes and line breaks. Blank lines
        // are kept as records (and skipped below) so that every record's first line is known for the messages.
        CSVFormat format =
                CSVFormat.RFC4180.builder().setIgnoreEmptyLines(false).get();
        try (CSVParser parser = format.parse(in)) {
            Iterator<CSVRecord> records = parser.iterator();
            List<String> names;
            try {
                names = records.hasNext() ? records.next().toList() : null;
            } catch (UncheckedIOException e) {
                problems.add(file, 1, "header", quotingProblem(e));
                budget.markUnreadable();
                return budget;
            }
            if (names == null || (names.size() == 1 && names.get(0).isBlank())) {
                problems.add(file, 1, "header", "empty file: expected a header with " + COLUMNS_TEXT);
                budget.markUnreadable();
                return budget;
            }
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < names.size(); i++) {
                index.putIfAbsent(names.get(i).trim().toLowerCase(java.util.Locale.ROOT), i);
            }
            boolean headerOk = true;
            for (String c : COLUMNS) {
                if (!index.containsKey(c)) {
                    problems.add(file, 1, "header", "missing column " + c + " (expected " + COLUMNS_TEXT + ")");
                    headerOk = false;
                }
            }
            if (!headerOk) {
                budget.markUnreadable();
                return budget;
            }
            Map<String, Integer> paymentOrders = new HashMap<>();
            int sponsors = 0;
            boolean unreadable = false;
            while (true) {
                // The parser has consumed every line break up to the end of the previous record.
                int lineNo = (int) parser.getCurrentLineNumber() + 1;
                List<String> f;
                try {
                    if (!records.hasNext()) {
                        break;
                    }
                    f = records.next().toList();
                } catch (UncheckedIOException e) {
                    // The parser cannot find where this record ends (an open quote runs to the end of the file, or text
                    // follows a closing quote), so nothing after it can be read reliably.
                    problems.add(file, lineNo, "line", quotingProblem(e));
                    budget.markUnreadable();
                    unreadable = true;
                    break;
                }
                if (f.size() == 1 && f.get(0).isBlank()) {
                    continue;
                }
                sponsors++;
                if (f.size() < names.size()) {
                    problems.add(file, lineNo, "line", f.size() + " fields, header has " + names.size());
                    budget.markUnreadable(
                            f.get(Math.min(index.get(SPONSOR_ID), f.size() - 1)).trim());
                    continue;
                }
                BudgetLine b = parseLine(file, lineNo, f, index, problems);
                if (b == null) {
                    budget.markUnreadable(f.get(index.get(SPONSOR_ID)).trim());
                    continue;
                }
                if (budget.sponsor(b.getSponsorId()) != null) {
                    problems.add(
                            file,
                            lineNo,
                            SPONSOR_ID,
                            "duplicate sponsor " + b.getSponsorId() + " (first on line "
                                    + budget.lineOf(b.getSponsorId()) + ")");
                    continue;
                }
                Integer firstOrder = paymentOrders.putIfAbsent(b.getPaymentOrder(), lineNo);
                if (firstOrder != null) {
                    problems.add(
                            file,
                            lineNo,
                            PAYMENT_ORDER,
                            "duplicate payment order " + b.getPaymentOrder() + " (first on line " + firstOrder + ")");
                    continue;
                }
                budget.add(b, lineNo);
            }
            if (sponsors == 0 && !unreadable) {
                problems.add(file, 1, "header", "no sponsor lines after the header");
            }
        }
        return budget;
    }

    private static String quotingProblem(UncheckedIOException e) {
        String m = String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
        return m.contains("EOF")
                ? "unbalanced quotes: a quoted field opened here is still open at the end of the file"
                : "text after a closing quote (a quoted field ends at its closing quote; a quote inside it is doubled)";
    }

    private static BudgetLine parseLine(
            String file, int lineNo, List<String> f, Map<String, Integer> index, Problems problems) {
        boolean ok = true;
        String[] text = new String[COLUMNS.size()];
        for (int c = 0; c < COLUMNS.size(); c++) {
            text[c] = f.get(index.get(COLUMNS.get(c))).trim();
            if (text[c].isEmpty()) {
                problems.add(file, lineNo, COLUMNS.get(c), "required, is empty");
                ok = false;
            }
        }
        long funded = 0;
        if (!text[4].isEmpty()) {
            try {
                long v = Numbers.parse(text[4], "integer amount in fen");
                if (v <= 0) {
                    problems.add(file, lineNo, FUNDED_FEN, v + " must be a positive amount in fen");
                    ok = false;
                } else {
                    funded = v;
                }
            } catch (Numbers.NotANumber e) {
                problems.add(file, lineNo, FUNDED_FEN, "'" + text[4] + "' " + e.getMessage());
                ok = false;
            }
        }
        return ok ? new BudgetLine(text[0], text[1], text[2], text[3], funded) : null;
    }
}
