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
        CommandLine cl = new CommandLine(command);
        cl.setExitCodeExceptionMapper(CommandLines::exitCode);
        cl.setExecutionExceptionHandler((ex, line, parseResult) -> {
            PrintWriter err = line.getErr();
            if (isBadInput(ex)) {
                err.println(line.getColorScheme().errorText(message(ex)));
            } else {
                ex.printStackTrace(err);
            }
            err.flush();
            return exitCode(ex);
        });
        return cl;
    }

    /** Runs and returns the exit code; {@code main} methods pass it to {@link System#exit}. */
    public static int execute(Object command, String... args) {
        return create(command).execute(args);
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

    /** An input file that exists but cannot be used (wrong password, damaged, wrong format). */
    public static final class InputFileException extends IOException {
        public InputFileException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
