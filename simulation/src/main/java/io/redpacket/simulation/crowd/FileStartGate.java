package io.redpacket.simulation.crowd;

import io.redpacket.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The crowd's start gate for another process (the campaign): once every account is registered it writes
 * {@code registeredFile} (the number of accounts, atomically), then waits until {@code startFile} exists. Files rather
 * than a pipe, so the hand-over can be seen in the run directory afterwards. Gives up after {@code timeout}.
 */
public final class FileStartGate implements Crowd.StartGate {
    static final long POLL_MS = 10;

    private final Path registeredFile;
    private final Path startFile;
    private final Duration timeout;

    public FileStartGate(Path registeredFile, Path startFile, Duration timeout) {
        this.registeredFile = registeredFile;
        this.startFile = startFile;
        this.timeout = timeout;
    }

    @Override
    public void registered(int accounts) throws IOException, InterruptedException {
        AtomicFiles.write(registeredFile, tmp -> Files.writeString(tmp, accounts + "\n"));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(startFile)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("no start signal: " + startFile + " did not appear within " + timeout.toSeconds()
                        + " s of registering");
            }
            Thread.sleep(POLL_MS);
        }
    }
}
