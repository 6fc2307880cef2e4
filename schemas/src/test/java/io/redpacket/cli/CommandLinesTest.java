package io.redpacket.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class CommandLinesTest {
    @Command(name = "work")
    static final class Failing implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            // as Spark reports a task's failure: the task's exception as the cause of a multi-line job error
            throw new IllegalStateException(
                    "Job aborted due to stage failure: Task 0 failed 4 times\n\tat a.b.C(C.java:1)",
                    new RuntimeException(
                            "wrapper",
                            new CommandLines.LocatedFailure("cannot write hdfs://nn/x/shard-00001.env: quota")));
        }
    }

    @Test
    void aLoggedFailureIsOneLineNamingWhatFailedWithTheExitCodeOfAFailure() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cl = CommandLines.createLogged(new Failing());
        cl.setErr(new PrintWriter(err, true));
        assertThat(cl.execute()).isEqualTo(CommandLines.FAILURE);
        assertThat(err.toString().strip()).isEqualTo("work failed: cannot write hdfs://nn/x/shard-00001.env: quota");
    }

    @Test
    void withoutALocatedFailureTheFirstLineOfTheMessageIsShown() {
        assertThat(CommandLines.oneLine(new IOException("first line\nsecond"))).isEqualTo("first line");
        assertThat(CommandLines.oneLine(new NullPointerException())).isEqualTo("java.lang.NullPointerException");
    }
}
