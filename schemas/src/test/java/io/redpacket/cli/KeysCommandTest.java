package io.redpacket.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KeysCommandTest {
    @TempDir
    Path dir;

    Path pw;
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void password() throws Exception {
        pw = dir.resolve("pw");
        Files.writeString(pw, "s3cret\n");
    }

    int run(String... args) {
        CommandLine cl = CommandLines.create(new SchemasCli());
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void createExportAndListFollowTheExitCodeContract() throws Exception {
        Path ring = dir.resolve("ring.p12");
        assertThat(run("keys", "--password-file", pw.toString(), "create", "--out", ring.toString(), "--count", "12"))
                .isZero();
        assertThat(KeyRingStore.load(ring, "s3cret".toCharArray()).size()).isEqualTo(12);

        Path open = dir.resolve("open.p12");
        assertThat(run(
                        "keys",
                        "--password-file",
                        pw.toString(),
                        "export",
                        "--in",
                        ring.toString(),
                        "--out",
                        open.toString(),
                        "--key-ids",
                        "2-4,9"))
                .isZero();
        KeyRing exported = KeyRingStore.load(open, "s3cret".toCharArray());
        assertThat(exported.keyIds()).containsExactly(2, 3, 4, 9);

        assertThat(run("keys", "--password-file", pw.toString(), "list", "--in", open.toString()))
                .isZero();
    }

    @Test
    void badInputExitsTwoWithALocatedMessageAndWritesNothing() throws Exception {
        Path ring = dir.resolve("ring.p12");
        assertThat(run("keys", "--password-file", pw.toString(), "create", "--out", ring.toString(), "--count", "0"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--count: 0");
        assertThat(ring).doesNotExist();

        assertThat(run("keys", "--password-file", pw.toString(), "create", "--out", ring.toString(), "--count", "2"))
                .isZero();
        assertThat(run("keys", "--password-file", pw.toString(), "create", "--out", ring.toString(), "--count", "2"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("already exists");

        Path wrong = dir.resolve("wrong");
        Files.writeString(wrong, "nope\n");
        assertThat(run("keys", "--password-file", wrong.toString(), "list", "--in", ring.toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains(ring.toString()).contains("wrong password");

        assertThat(run(
                        "keys",
                        "--password-file",
                        pw.toString(),
                        "export",
                        "--in",
                        ring.toString(),
                        "--out",
                        dir.resolve("x.p12").toString(),
                        "--key-ids",
                        "3-1"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--key-ids: '3-1'");
        assertThat(dir.resolve("x.p12")).doesNotExist();

        assertThat(run(
                        "keys",
                        "--password-file",
                        pw.toString(),
                        "list",
                        "--in",
                        dir.resolve("missing.p12").toString()))
                .isEqualTo(2);
        assertThat(run("keys", "list", "--no-such-option")).isEqualTo(2);
    }

    @Test
    void pathsAreLocationsAndAnUnknownSchemeIsBadInput() throws Exception {
        Path ring = dir.resolve("sub/ring.p12");
        String pwUri = pw.toUri().toString();
        assertThat(run(
                        "keys",
                        "--password-file",
                        pwUri,
                        "create",
                        "--out",
                        ring.toUri().toString(),
                        "--count",
                        "3"))
                .isZero();
        assertThat(KeyRingStore.load(ring, "s3cret".toCharArray()).size()).isEqualTo(3);
        assertThat(run("keys", "--password-file", pw.toString(), "list", "--in", "file://" + ring))
                .isZero();

        assertThat(run(
                        "keys",
                        "--password-file",
                        pw.toString(),
                        "create",
                        "--out",
                        "hfds://nn:8020/ring.p12",
                        "--count",
                        "3"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--out: hfds://nn:8020/ring.p12: no file system for scheme 'hfds'");
        assertThat(dir.resolve("hfds:")).doesNotExist();
        assertThat(run("keys", "--password-file", "nope://x/pw", "list", "--in", ring.toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--password-file: nope://x/pw: no file system for scheme 'nope'");
        assertThat(run("keys", "--password-file", pw.toString(), "list", "--in", dir.toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains(dir + ": is a directory, not a key store");
    }

    @Test
    void sessionKeysAreCreatedRotatedAndRetiredInTheirOwnStore() throws Exception {
        Path sessions = dir.resolve("sessions.p12");
        String p = pw.toString();
        assertThat(run("keys", "--password-file", p, "session", "create", "--out", sessions.toString()))
                .isZero();
        assertThat(run("keys", "--password-file", p, "session", "create", "--out", sessions.toString()))
                .isEqualTo(2);
        assertThat(run("keys", "--password-file", p, "session", "rotate", "--in", sessions.toString()))
                .isZero();
        KeyRing rotated = KeyRingStore.load(sessions, "s3cret".toCharArray());
        assertThat(rotated.sessionKeyIds()).containsExactly(1, 2);
        assertThat(rotated.signingSessionKeyId()).isEqualTo(2);
        assertThat(rotated.size()).as("no ticket key").isZero();
        assertThat(rotated.tokenMacKey()).as("not the token key").isNull();
        assertThat(run(
                        "keys",
                        "--password-file",
                        p,
                        "session",
                        "retire",
                        "--in",
                        sessions.toString(),
                        "--key-ids",
                        "1"))
                .isZero();
        assertThat(KeyRingStore.load(sessions, "s3cret".toCharArray()).sessionKeyIds())
                .containsExactly(2);
        err.reset();
        assertThat(run(
                        "keys",
                        "--password-file",
                        p,
                        "session",
                        "retire",
                        "--in",
                        sessions.toString(),
                        "--key-ids",
                        "2"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("would retire every session key");
        assertThat(run(
                        "keys",
                        "--password-file",
                        p,
                        "session",
                        "retire",
                        "--in",
                        sessions.toString(),
                        "--key-ids",
                        "7"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("session key 7");
        assertThat(KeyRingStore.load(sessions, "s3cret".toCharArray()).sessionKeyIds())
                .containsExactly(2);
    }
}
