package io.redpacket.generation;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.keys.KeyStorePassword;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a person sees running the command (issue 14, item 3): the real {@code main} in its own JVM with the shipped
 * logging configuration, as {@code bin/redpacket} runs it. A successful run, Spark started and stopped, prints no
 * stack trace and nothing on stderr; a failed run prints one line that names what failed and the log file, which
 * holds the stack trace.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class GenerationProcessTest {
    @TempDir
    Path dir;

    @Test
    void aSuccessfulRunOnSparkPrintsNoStackTraceAndNothingOnStderr() throws Exception {
        Run r = generate("--out", dir.resolve("campaign").toString(), "--runner", "spark", "--variant", "late");
        assertThat(r.code).as(r.err).isZero();
        assertThat(r.out)
                .contains("runner: Spark, master local[*]")
                .contains("wrote " + dir.resolve("campaign"))
                .doesNotContain("Exception")
                .doesNotContain("\tat ");
        assertThat(r.err).isEmpty();
    }

    @Test
    void aFailedRunPrintsOneLineAndLeavesTheTraceInTheLog() throws Exception {
        Path plainFile = dir.resolve("plain-file");
        Files.writeString(plainFile, "x");
        Run r = generate("--out", plainFile.resolve("campaign").toString(), "--runner", "local");
        assertThat(r.code).isEqualTo(1);
        assertThat(r.err.lines())
                .singleElement()
                .asString()
                .startsWith("generate failed: cannot write " + plainFile + "/.campaign.tmp-")
                .endsWith("(details: " + r.log + ")");
        assertThat(Files.readString(r.log)).contains("generate failed").contains("\tat io.redpacket.");
    }

    record Run(int code, String out, String err, Path log) {}

    private Run generate(String... extra) throws Exception {
        Path ring = Fixtures.ring(dir, 100);
        Path log = dir.resolve("generate.log");
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m"));
        cmd.addAll(Arrays.asList(System.getProperty("spark.add.opens", "").split(" ")));
        cmd.removeIf(String::isBlank);
        cmd.addAll(List.of(
                "-Djava.io.tmpdir=" + dir,
                // the shipped configuration, not the tests' (which logs to the console)
                "-Dlog4j2.configurationFile="
                        + Path.of("target/classes/log4j2.properties").toAbsolutePath(),
                "-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                GenerationCli.class.getName(),
                "generate",
                "--budget",
                "samples/demo-budget.csv",
                "--script",
                "samples/demo-script.yaml",
                "--keys",
                ring.toString(),
                "--shards",
                "2"));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile());
        // as a person runs it: without the test build's JVM options (root pom), which the JVM announces on stderr
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().put(KeyStorePassword.ENV, new String(Fixtures.PASSWORD));
        pb.environment().put("REDPACKET_LOG", log.toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        if (!p.waitFor(150, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("generate did not finish");
        }
        return new Run(
                p.exitValue(),
                Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8),
                log);
    }
}
