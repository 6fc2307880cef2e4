package io.redpacket.reconciliation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;

/** Query results as an aligned text table; never truncates values (finance copies ids and amounts from it). */
final class TablePrinter {
    private TablePrinter() {}

    /** {@code rows} may hold one row more than {@code maxRows}, which only says that there were more. */
    static String format(String[] columns, List<Row> rows, int maxRows) {
        List<String[]> cells = new ArrayList<>();
        for (int r = 0; r < Math.min(rows.size(), maxRows); r++) {
            Row row = rows.get(r);
            String[] line = new String[columns.length];
            for (int c = 0; c < columns.length; c++) {
                line[c] = text(row.get(c));
            }
            cells.add(line);
        }
        int[] width = new int[columns.length];
        for (int c = 0; c < columns.length; c++) {
            width[c] = columns[c].length();
            for (String[] line : cells) {
                width[c] = Math.max(width[c], line[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        appendLine(sb, columns, width);
        String[] rule = new String[columns.length];
        for (int c = 0; c < columns.length; c++) {
            rule[c] = "-".repeat(width[c]);
        }
        appendLine(sb, rule, width);
        for (String[] line : cells) {
            appendLine(sb, line, width);
        }
        sb.append('(')
                .append(cells.size())
                .append(cells.size() == 1 ? " row" : " rows")
                .append(rows.size() > maxRows ? ", more not shown" : "")
                .append(")\n");
        return sb.toString();
    }

    private static void appendLine(StringBuilder sb, String[] values, int[] width) {
        for (int c = 0; c < values.length; c++) {
            sb.append(c == 0 ? "" : " | ").append(values[c]).append(" ".repeat(width[c] - values[c].length()));
        }
        sb.append('\n');
    }

    private static String text(Object value) {
        if (value == null) {
            return "NULL";
        }
        if (value instanceof scala.collection.Iterable<?> seq) {
            List<String> parts = new ArrayList<>();
            seq.foreach(v -> parts.add(text(v)));
            return "[" + String.join(", ", parts) + "]";
        }
        if (value instanceof byte[] bytes) {
            return Arrays.toString(bytes);
        }
        return value.toString();
    }
}
