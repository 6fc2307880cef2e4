package io.redpacket.generation.input;

import io.redpacket.avro.BudgetLine;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the budget as finance exports it: CSV (RFC 4180 quoting, one record per line, UTF-8, optional BOM) with
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
    private static final List<String> COLUMNS = List.of(SPONSOR_ID, SPONSOR_NAME, PAYMENT_ORDER, ENVELOPE_ACCOUNT, FUNDED_FEN);

    private BudgetCsv() {}

    public static Budget read(Path path, Problems problems) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            return read(in, path.toString(), problems);
        }
    }

    /** Reads from any source; {@code file} is what messages call it. */
    public static Budget read(BufferedReader in, String file, Problems problems) throws IOException {
        Budget budget = new Budget(file);
        String header = in.readLine();
        if (header == null) {
            problems.add(file, 1, "header", "empty file: expected a header with " + COLUMNS_TEXT);
            budget.markUnreadable();
            return budget;
        }
        if (header.startsWith("\uFEFF")) {
            header = header.substring(1);
        }
        Map<String, Integer> index = new HashMap<>();
        List<String> names = fields(header);
        for (int i = 0; names != null && i < names.size(); i++) {
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
        String line;
        int lineNo = 1;
        int sponsors = 0;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            sponsors++;
            List<String> f = fields(line);
            if (f == null) {
                problems.add(file, lineNo, "line", "unbalanced quotes");
                budget.markUnreadable(line.split(",", 2)[0].trim());
                continue;
            }
            if (f.size() < names.size()) {
                problems.add(file, lineNo, "line", f.size() + " fields, header has " + names.size());
                budget.markUnreadable(f.get(Math.min(index.get(SPONSOR_ID), f.size() - 1)).trim());
                continue;
            }
            BudgetLine b = parseLine(file, lineNo, f, index, problems);
            if (b == null) {
                budget.markUnreadable(f.get(index.get(SPONSOR_ID)).trim());
                continue;
            }
            if (budget.sponsor(b.getSponsorId()) != null) {
                problems.add(file, lineNo, SPONSOR_ID, "duplicate sponsor " + b.getSponsorId() + " (first on line " + budget.lineOf(b.getSponsorId()) + ")");
                continue;
            }
            Integer firstOrder = paymentOrders.putIfAbsent(b.getPaymentOrder(), lineNo);
            if (firstOrder != null) {
                problems.add(file, lineNo, PAYMENT_ORDER, "duplicate payment order " + b.getPaymentOrder() + " (first on line " + firstOrder + ")");
                continue;
            }
            budget.add(b, lineNo);
        }
        if (sponsors == 0) {
            problems.add(file, 1, "header", "no sponsor lines after the header");
        }
        return budget;
    }

    private static BudgetLine parseLine(String file, int lineNo, List<String> f, Map<String, Integer> index, Problems problems) {
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

    /** Splits one CSV line; null if a quote is left open. */
    static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        if (quoted) {
            return null;
        }
        out.add(cur.toString());
        return out;
    }
}
