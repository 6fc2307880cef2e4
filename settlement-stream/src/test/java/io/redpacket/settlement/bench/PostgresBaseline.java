package io.redpacket.settlement.bench;

import io.redpacket.avro.BatchConfig;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.open.BatchCatalog;
import io.redpacket.open.OpenVerdict;
import io.redpacket.open.OpenVerifier;
import io.redpacket.testkit.GeneratedCampaign;
import io.redpacket.token.TokenSigner;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The database design: every open is one PostgreSQL transaction (unique envelope claim + wallet upsert),
 * durable commits (fsync and synchronous_commit on, the defaults), after the same local verification
 * settlement does. PostgreSQL comes from Debian's packages; the server is started in a temporary directory
 * and stopped afterwards. As root, the server runs as the {@code postgres} user (it refuses to run as root).
 */
final class PostgresBaseline {
    private static final String[] BIN_DIRS = {
        "/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"
    };

    private PostgresBaseline() {}

    interface Reporter {
        void line(String fmt, Object... args);
    }

    static double run(GeneratedCampaign c, int seconds, int clients, Reporter out) throws Exception {
        Path bin = findBin();
        // under /tmp, not the build directory: the postgres user must be able to reach it
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "redpacket-pg-");
        boolean root = "root".equals(System.getProperty("user.name"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        if (root) {
            exec("chown", "postgres", dir.toString());
        }
        Path data = dir.resolve("data");
        pg(root, bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "bench", "--auth=trust", "-E", "UTF8");
        pg(
                root,
                bin.resolve("pg_ctl").toString(),
                "-D",
                data.toString(),
                "-l",
                dir.resolve("server.log").toString(),
                "-w",
                "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c max_connections=50",
                "start");
        try {
            String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=bench";
            try (Connection conn = DriverManager.getConnection(url);
                    Statement st = conn.createStatement()) {
                st.execute(
                        "CREATE TABLE envelope_claim (envelope_id bigint PRIMARY KEY, user_id text NOT NULL, amount_fen bigint NOT NULL, "
                                + "batch_id int NOT NULL, event_id text NOT NULL)");
                st.execute("CREATE TABLE wallet (user_id text PRIMARY KEY, balance_fen bigint NOT NULL)");
            }
            AtomicLong next = new AtomicLong();
            AtomicLong done = new AtomicLong();
            AtomicLong failures = new AtomicLong();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            List<Thread> threads = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < clients; i++) {
                Thread th = new Thread(() -> client(url, c, next, done, failures, deadline), "pg-client-" + i);
                threads.add(th);
                th.start();
            }
            for (Thread th : threads) {
                th.join();
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            double rate = done.get() / elapsed;
            long credited;
            try (Connection conn = DriverManager.getConnection(url);
                    Statement st = conn.createStatement();
                    var rs = st.executeQuery("SELECT count(*), coalesce(sum(balance_fen), 0) FROM wallet")) {
                rs.next();
                credited = rs.getLong(1);
            }
            out.line(
                    "phase 3, PostgreSQL %s (Debian package), one transaction per open, %d clients, %d s: %,d opens, %,.0f opens/s "
                            + "(%,d wallets credited, %d failures)",
                    bin.getParent().getFileName(), clients, seconds, done.get(), rate, credited, failures.get());
            return rate;
        } finally {
            pg(root, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "stop");
            exec("rm", "-rf", dir.toString());
        }
    }

    private static void client(
            String url, GeneratedCampaign c, AtomicLong next, AtomicLong done, AtomicLong failures, long deadline) {
        List<BatchConfig> batches = c.batches();
        OpenVerifier verifier = new OpenVerifier(c.ring, new KeyBlacklist(), BatchCatalog.of(batches), 600_000);
        TokenSigner signer = new TokenSigner(c.ring);
        byte[] records = c.recordsById();
        try (Connection conn = DriverManager.getConnection(url)) {
            conn.setAutoCommit(false);
            PreparedStatement claim = conn.prepareStatement(
                    "INSERT INTO envelope_claim (envelope_id, user_id, amount_fen, batch_id, event_id) VALUES (?, ?, ?, ?, ?)");
            PreparedStatement wallet = conn.prepareStatement(
                    "INSERT INTO wallet (user_id, balance_fen) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET balance_fen = wallet.balance_fen + EXCLUDED.balance_fen");
            while (System.nanoTime() < deadline) {
                long id = next.getAndIncrement();
                if (id >= (int) c.envelopeCount()) {
                    return;
                }
                String user = "u" + id;
                long now = System.currentTimeMillis();
                // the open as the edge would hand it in; verification is the same local computation settlement does
                String token = signer.sign(records, (int) id * EnvelopeLayout.RECORD_BYTES, user, now - 1_000, 1);
                OpenVerdict v = verifier.verify(token, user, now);
                if (!v.isValid()) {
                    failures.incrementAndGet();
                    continue;
                }
                try {
                    claim.setLong(1, v.ticket().envelopeId());
                    claim.setString(2, user);
                    claim.setLong(3, v.ticket().amountFen());
                    claim.setInt(4, v.ticket().batchId());
                    claim.setString(5, "e" + id);
                    claim.executeUpdate();
                    wallet.setString(1, user);
                    wallet.setLong(2, v.ticket().amountFen());
                    wallet.executeUpdate();
                    conn.commit();
                    done.incrementAndGet();
                } catch (SQLException e) {
                    conn.rollback();
                    failures.incrementAndGet();
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path findBin() {
        for (String d : BIN_DIRS) {
            if (Files.isExecutable(Path.of(d, "pg_ctl"))) {
                return Path.of(d);
            }
        }
        throw new IllegalStateException(
                "PostgreSQL server not installed: apt-get update && apt-get install -y postgresql");
    }

    private static void pg(boolean root, String... cmd) throws IOException, InterruptedException {
        if (root) {
            String[] wrapped = new String[cmd.length + 4];
            wrapped[0] = "runuser";
            wrapped[1] = "-u";
            wrapped[2] = "postgres";
            wrapped[3] = "--";
            System.arraycopy(cmd, 0, wrapped, 4, cmd.length);
            exec(wrapped);
        } else {
            exec(cmd);
        }
    }

    private static void exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + output);
        }
    }
}
