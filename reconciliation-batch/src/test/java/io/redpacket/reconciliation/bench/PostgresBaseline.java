package io.redpacket.reconciliation.bench;

import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.BudgetLine;
import io.redpacket.avro.FileManifest;
import io.redpacket.avro.FundingPlan;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.io.AvroFiles;
import io.redpacket.io.CampaignLayout;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * The same checks as plain SQL in PostgreSQL (Debian's packages, with pgcrypto): a throwaway cluster in a temp
 * directory owned by the {@code postgres} user (initdb/pg_ctl, Unix socket only, fsync off), loaded with COPY
 * from CSV exports of the same campaign, then {@code bench/postgres-checks.sql}.
 */
final class PostgresBaseline {
    record Timing(double loadSeconds, double checkSeconds, String output) {}

    private final Path bin;
    private final Path moduleDir;

    PostgresBaseline(Path moduleDir) throws IOException {
        this.moduleDir = moduleDir;
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            this.bin = versions.sorted()
                    .reduce((a, b) -> b)
                    .orElseThrow(() ->
                            new IOException("no PostgreSQL under /usr/lib/postgresql; apt-get install postgresql"))
                    .resolve("bin");
        }
    }

    /** CSV exports of a campaign and its logs: what COPY loads. Not timed. */
    static void export(SparkSession spark, Path variantDir, Path logsDir, Path csvDir) throws IOException {
        Files.createDirectories(csvDir);
        HexFormat hex = HexFormat.of();
        List<FileManifest> manifests =
                AvroFiles.readAll(variantDir.resolve(CampaignLayout.MANIFESTS), FileManifest.class);
        try (BufferedWriter w = Files.newBufferedWriter(csvDir.resolve("raw_records.csv"), StandardCharsets.US_ASCII)) {
            byte[] rec = new byte[EnvelopeLayout.RECORD_BYTES];
            for (FileManifest m : manifests) {
                try (InputStream in = new java.io.BufferedInputStream(
                        Files.newInputStream(variantDir.resolve(m.getFileName())), 1 << 20)) {
                    long i = 0;
                    while (in.readNBytes(rec, 0, rec.length) == rec.length) {
                        w.write(m.getFileName());
                        w.write(',');
                        w.write(Long.toString(i++));
                        w.write(",\\x");
                        w.write(hex.formatHex(rec));
                        w.write('\n');
                    }
                }
            }
        }
        KeyRing ring = KeyRingStore.load(CampaignLayout.openRing(variantDir), BenchLogs.PASSWORD.toCharArray());
        List<String> keys = new ArrayList<>();
        for (int id : ring.keyIds()) {
            keys.add(id + ",\\x" + hex.formatHex(ring.ticketKey(id).getEncoded()));
        }
        Files.write(csvDir.resolve("ticket_keys.csv"), keys);
        List<String> lines = new ArrayList<>();
        for (BudgetLine b : AvroFiles.readAll(variantDir.resolve(CampaignLayout.BUDGET), BudgetLine.class)) {
            lines.add(b.getSponsorId() + "," + b.getFundedFen());
        }
        Files.write(csvDir.resolve("budget.csv"), lines);
        lines.clear();
        FundingPlan plan = AvroFiles.readAll(variantDir.resolve(CampaignLayout.PLAN), FundingPlan.class)
                .get(0);
        plan.getAllocations()
                .forEach(a ->
                        lines.add(a.getSlotId() + "," + a.getSponsorId() + "," + a.getTotalFen() + "," + a.getCount()));
        Files.write(csvDir.resolve("plan_allocations.csv"), lines);
        lines.clear();
        for (BatchConfig b : AvroFiles.readAll(variantDir.resolve(CampaignLayout.BATCHES), BatchConfig.class)) {
            lines.add(b.getBatchId() + "," + b.getSlotId() + "," + b.getSponsorId() + "," + b.getCount() + ","
                    + b.getTotalFen() + "," + b.getMinFen() + "," + b.getMaxFen() + "," + b.getFirstEnvelopeId());
        }
        Files.write(csvDir.resolve("batches.csv"), lines);
        lines.clear();
        manifests.forEach(m ->
                lines.add(m.getFileName() + "," + m.getRecordCount() + "," + m.getAmountFen() + "," + m.getChecksum()));
        Files.write(csvDir.resolve("manifests.csv"), lines);
        spark.read()
                .parquet(logsDir.resolve(CampaignLayout.OPEN_LOG).toString())
                .selectExpr("eventId", "envelopeId", "amountFen", "batchId", "openTimeMs", "hour")
                .write()
                .csv(csvDir.resolve("opens").toString());
        spark.read()
                .parquet(logsDir.resolve(CampaignLayout.REJECT_LOG).toString())
                .selectExpr("openEventId", "envelopeId")
                .write()
                .csv(csvDir.resolve("rejects").toString());
        spark.read()
                .parquet(logsDir.resolve(CampaignLayout.CREDIT_LOG).toString())
                .selectExpr(
                        "creditId",
                        "envelopeId",
                        "amountFen",
                        "batchId",
                        "sponsorId",
                        "openEventId",
                        "creditTimeMs",
                        "hour")
                .write()
                .csv(csvDir.resolve("credits").toString());
    }

    /** Starts a fresh cluster, loads {@code csvDir}, runs the checks; the cluster is removed afterwards. */
    Timing run(Path csvDir, int port) throws Exception {
        Path root = Files.createTempDirectory(Path.of("/tmp"), "redpacket-pg-");
        Path data = root.resolve("data");
        try {
            exec(List.of("chown", "postgres:postgres", root.toString()));
            asPostgres(List.of(
                    bin.resolve("initdb").toString(),
                    "-D",
                    data.toString(),
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "--no-sync"));
            asPostgres(List.of(
                    bin.resolve("pg_ctl").toString(),
                    "-D",
                    data.toString(),
                    "-w",
                    "-l",
                    root.resolve("server.log").toString(),
                    "-o",
                    "-p " + port + " -k " + root + " -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
                            + " -c full_page_writes=off -c shared_buffers=1GB -c work_mem=512MB -c maintenance_work_mem=1GB"
                            + " -c max_parallel_workers_per_gather=2 -c max_wal_size=8GB",
                    "start"));
            StringBuilder load = new StringBuilder(Files.readString(moduleDir.resolve("bench/postgres-schema.sql")));
            load.append(copy("raw_records", csvDir.resolve("raw_records.csv")));
            for (String t : List.of("ticket_keys", "budget", "plan_allocations", "batches", "manifests")) {
                load.append(copy(t, csvDir.resolve(t + ".csv")));
            }
            for (String t : List.of("opens", "rejects", "credits")) {
                try (Stream<Path> parts = Files.list(csvDir.resolve(t))) {
                    for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-"))
                            .sorted()
                            .toList()) {
                        load.append(copy(t, p));
                    }
                }
            }
            Path loadSql = root.resolve("load.sql");
            Files.writeString(loadSql, load);
            long t0 = System.nanoTime();
            psql(root, port, loadSql);
            long t1 = System.nanoTime();
            String out = psql(root, port, moduleDir.resolve("bench/postgres-checks.sql"));
            long t2 = System.nanoTime();
            return new Timing((t1 - t0) / 1e9, (t2 - t1) / 1e9, out);
        } finally {
            try {
                asPostgres(List.of(
                        bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"));
            } catch (Exception ignored) {
                // the cluster may not have started
            }
            exec(List.of("rm", "-rf", root.toString()));
        }
    }

    private static String copy(String table, Path csv) {
        return "\n\\copy " + table + " FROM '" + csv.toAbsolutePath() + "' WITH (FORMAT csv)\n";
    }

    private String psql(Path socketDir, int port, Path script) throws Exception {
        return exec(List.of(
                bin.resolve("psql").toString(),
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                socketDir.toString(),
                "-p",
                String.valueOf(port),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-f",
                script.toString()));
    }

    private static String asPostgres(List<String> command) throws Exception {
        List<String> c = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        c.addAll(command);
        return exec(c);
    }

    private static String exec(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.HOURS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + out);
        }
        return out;
    }
}
