package io.redpacket.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;

/**
 * The exit-code contract every redpacket command follows: 0 success, 2 bad input (usage errors, unreadable
 * or invalid input files, with a located message and no stack trace), 1 any other failure.
 */
public final class CommandLines {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int BAD_INPUT = 2;

    private CommandLines() {}

    public static CommandLine create(Object command) {
        return create(command, false);
    }

    /** Runs and returns the exit code; {@code main} methods pass it to {@link System#exit}. */
    public static int execute(Object command, String... args) {
        return create(command).execute(args);
    }

    /**
     * Like {@link #create(Object)}, for commands people run by hand: a failure (exit 1) prints one line, the
     * message of what failed (the innermost {@link LocatedFailure} if there is one, else the first line of the
     * error) and where the details are; the stack trace goes to the log (SLF4J logger {@code io.redpacket.cli},
     * which the command's logging configuration sends to {@link CommandLog#file()} on a local run, or the
     * cluster's logging under spark-submit).
     */
    public static CommandLine createLogged(Object command) {
        return create(command, true);
    }

    private static CommandLine create(Object command, boolean logged) {
        CommandLine cl = new CommandLine(command);
        cl.setExitCodeExceptionMapper(CommandLines::exitCode);
        cl.setExecutionExceptionHandler((ex, line, parseResult) -> {
            PrintWriter err = line.getErr();
            if (isBadInput(ex)) {
                err.println(line.getColorScheme().errorText(message(ex)));
            } else if (logged) {
                org.slf4j.LoggerFactory.getLogger("io.redpacket.cli").error("{} failed", line.getCommandName(), ex);
                String where = CommandLog.file() != null ? " (details: " + CommandLog.file() + ")" : "";
                err.println(line.getColorScheme().errorText(line.getCommandName() + " failed: " + oneLine(ex) + where));
            } else {
                ex.printStackTrace(err);
            }
            err.flush();
            return exitCode(ex);
        });
        return cl;
    }

    /** What a person needs to read about a failure, on one line. */
    public static String oneLine(Throwable ex) {
        String located = null;
        for (Throwable t = ex; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof LocatedFailure) {
                located = t.getMessage();
            }
        }
        String text = located != null
                ? located
                : ex.getMessage() != null && !ex.getMessage().isBlank()
                        ? ex.getMessage()
                        : ex.getClass().getName();
        return text.strip().lines().findFirst().orElse(text);
    }

    private static int exitCode(Throwable ex) {
        return isBadInput(ex) || ex instanceof CommandLine.ParameterException ? BAD_INPUT : FAILURE;
    }

    private static boolean isBadInput(Throwable ex) {
        return ex instanceof BadInputException || ex instanceof NoSuchFileException || ex instanceof InputFileException;
    }

    private static String message(Throwable ex) {
        if (ex instanceof NoSuchFileException nsf) {
            return nsf.getFile() + ": " + (nsf.getReason() != null ? nsf.getReason() : "no such file");
        }
        return ex.getMessage();
    }

    /**
     * A failure whose message already says what failed and where (a file, a task's output): shown to the user as
     * it is, on one line, even when it reaches the command wrapped in an engine's exceptions. Exit code 1.
     */
    public static class LocatedFailure extends IOException {
        public LocatedFailure(String message) {
            super(message);
        }

        public LocatedFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** An input file that exists but cannot be used (wrong password, damaged, wrong format). */
    public static final class InputFileException extends IOException {
        public InputFileException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
