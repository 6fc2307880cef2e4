package io.redpacket.reconciliation;

import io.redpacket.cli.BadInputException;
import io.redpacket.cli.CommandLines;
import io.redpacket.cli.CommandLog;
import io.redpacket.io.HadoopFileStore;
import io.redpacket.io.Locations;
import io.redpacket.reconciliation.spark.Warehouse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sql}: registers every warehouse table as a view and runs queries, from -e, -f or an interactive prompt.
 * With -e/-f only the result tables reach stdout and nothing else reaches the console unless it fails (no progress
 * bars, no Spark warnings); the prompt shows Spark's progress. Views are registered from the schemas in the
 * warehouse's {@code _TABLES}, so no Spark job runs before the first query.
 */
@Command(
        name = "sql",
        mixinStandardHelpOptions = true,
        description = {
            "Query reconciliation tables with Spark SQL. Every table of the warehouse is a view of the same name",
            "(SHOW VIEWS lists them). Without -e or -f: an interactive prompt; end statements with ';'.",
            "The warehouse may be a local path, file://, hdfs:// or s3a:// (the cluster's Hadoop configuration applies)."
        })
final class SqlCommand implements Callable<Integer> {
    @Option(
            names = "--warehouse",
            required = true,
            converter = Locations.Converter.class,
            description = "Warehouse written by reconcile.")
    URI warehouse;

    @Option(
            names = {"-e", "--execute"},
            description = "Statements to run (separated by ';').")
    String execute;

    @Option(
            names = {"-f", "--file"},
            description = "File of statements to run (separated by ';').")
    Path file;

    @Option(
            names = "--max-rows",
            defaultValue = "1000",
            description = "Rows printed per result (default ${DEFAULT-VALUE}).")
    int maxRows;

    @Option(
            names = "--timings",
            description = "Print where the time went (start-up phases and each statement) on stderr.")
    boolean timings;

    private final long started = System.nanoTime();

    @Override
    public Integer call() throws Exception {
        String script = execute != null ? execute : file != null ? readScript(file) : null;
        SparkConf conf = Sessions.conf("redpacket-sql", script == null && Sessions.onTerminal());
        HadoopFileStore store = Sessions.fileStore(conf);
        try {
            store.requireSupported(warehouse);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--warehouse: " + e.getMessage());
        }
        Warehouse.Published published = Warehouse.open(store, warehouse);
        time("warehouse resolved (" + published.tables().size() + " tables)");
        SparkSession spark = Sessions.start(conf);
        time("Spark session started");
        for (Warehouse.Table t : published.tables()) {
            spark.read().schema(t.schema()).parquet(published.path(t.name())).createOrReplaceTempView(t.name());
        }
        time("views registered");
        if (script != null) {
            for (String statement : statements(script)) {
                run(spark, statement, System.out);
                time("statement done");
            }
            return CommandLines.OK;
        }
        System.out.println("tables: "
                + String.join(
                        ", ",
                        published.tables().stream().map(Warehouse.Table::name).toList()));
        // The prompt is where Spark's progress bars belong (they print to System.err, which a run by hand sends to its
        // log).
        System.setErr(CommandLog.console());
        interactive(spark);
        return CommandLines.OK;
    }

    private void time(String what) {
        if (timings) {
            CommandLog.console().printf("sql [%6.2f s] %s%n", (System.nanoTime() - started) / 1e9, what);
        }
    }

    private static String readScript(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "query file does not exist");
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    /** Splits on ';' outside single-quoted strings; drops {@code --} comment lines and empty statements. */
    static List<String> statements(String script) {
        StringBuilder clean = new StringBuilder();
        for (String line : script.split("\n", -1)) {
            if (!line.strip().startsWith("--")) {
                clean.append(line).append('\n');
            }
        }
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (char c : clean.toString().toCharArray()) {
            if (c == '\'') {
                quoted = !quoted;
            }
            if (c == ';' && !quoted) {
                addIfNotBlank(out, current);
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        addIfNotBlank(out, current);
        return out;
    }

    private static void addIfNotBlank(List<String> out, StringBuilder s) {
        if (!s.toString().isBlank()) {
            out.add(s.toString().strip());
        }
    }

    private void run(SparkSession spark, String statement, PrintStream out) throws BadInputException {
        Dataset<Row> result;
        try {
            result = spark.sql(statement);
        } catch (Exception e) {
            // Scala throws AnalysisException (checked in Java) without declaring it.
            if (!(e instanceof AnalysisException)) {
                throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
            }
            throw new BadInputException(
                    "query: " + e.getMessage().lines().findFirst().orElse("") + "\n  in: " + statement);
        }
        out.print(TablePrinter.format(result.columns(), result.takeAsList(maxRows + 1), maxRows));
    }

    private void interactive(SparkSession spark) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder pending = new StringBuilder();
        System.out.print("redpacket-sql> ");
        System.out.flush();
        String line;
        while ((line = in.readLine()) != null) {
            if (pending.length() == 0
                    && (line.strip().equalsIgnoreCase("quit") || line.strip().equalsIgnoreCase("exit"))) {
                break;
            }
            pending.append(line).append('\n');
            if (line.strip().endsWith(";")) {
                for (String statement : statements(pending.toString())) {
                    try {
                        run(spark, statement, System.out);
                    } catch (BadInputException | RuntimeException e) {
                        System.out.println("error: " + e.getMessage());
                    }
                }
                pending.setLength(0);
            }
            System.out.print(pending.length() == 0 ? "redpacket-sql> " : "            -> ");
            System.out.flush();
        }
    }
}
