package io.redpacket.hadoop;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Entry point of every child JVM that {@link ChildJvm} starts: runs the real main class given as first argument,
 * and exits as soon as the parent is gone.
 *
 * <p>The parent holds the write end of this JVM's standard input and never writes to it; when the parent dies,
 * even by SIGKILL, where its shutdown hooks do not run, the pipe closes, the read below returns end of file, and
 * this JVM exits normally, so the server's own shutdown hooks still run (a Spark worker kills its executors).
 */
public final class ChildMain {
    private static final long HALT_AFTER_MS = 30_000;

    private ChildMain() {}

    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            System.err.println("usage: ChildMain <main class> [arguments...]");
            System.exit(2);
        }
        Thread watchdog = new Thread(ChildMain::exitWhenParentGone, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void exitWhenParentGone() {
        try {
            while (System.in.read() >= 0) {
                // The parent never writes; anything read is ignored.
            }
        } catch (IOException e) {
            // A broken pipe means the same as end of file.
        }
        System.err.println("[ChildMain] parent process gone (standard input closed): exiting");
        Thread halter = new Thread(
                () -> {
                    try {
                        Thread.sleep(HALT_AFTER_MS);
                    } catch (InterruptedException ignored) {
                        // exit anyway
                    }
                    Runtime.getRuntime().halt(1);
                },
                "parent-watchdog-halt");
        halter.setDaemon(true);
        halter.start();
        System.exit(1);
    }
}
