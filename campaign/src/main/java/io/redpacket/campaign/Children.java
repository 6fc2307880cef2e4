package io.redpacket.campaign;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every child process a campaign starts, with the log folder and environment they share; {@link #close()} stops
 * them last-started first, on success, failure or Ctrl-C.
 */
final class Children implements AutoCloseable {
    private final Path home;
    private final Path logs;
    private final Map<String, String> env;
    private final List<ChildProcess> started = new ArrayList<>();

    Children(Path home, Path logs, Map<String, String> env) {
        this.home = home;
        this.logs = logs;
        this.env = env;
    }

    /** Starts {@code bin/redpacket <args>} logging to {@code logs/<logName>}. */
    ChildProcess redpacket(String name, String logName, String... args) throws IOException {
        return start(ChildProcess.redpacket(home, name, logs.resolve(logName), env, args));
    }

    ChildProcess start(ChildProcess p) throws IOException {
        started.add(p);
        return p.start();
    }

    Path logs() {
        return logs;
    }

    Map<String, String> env() {
        return env;
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).stop();
        }
    }
}
