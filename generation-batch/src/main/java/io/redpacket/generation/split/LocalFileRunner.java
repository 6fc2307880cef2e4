package io.redpacket.generation.split;

import io.redpacket.cli.CommandLines;
import io.redpacket.envelope.TicketSealer;
import io.redpacket.generation.plan.ExpectedFile;
import io.redpacket.generation.plan.FileResult;
import io.redpacket.generation.plan.FileRunner;
import io.redpacket.generation.plan.FileTask;
import io.redpacket.io.FileStore;
import io.redpacket.io.Locations;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.SealingKeys;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Generates the files one after another in this JVM, through any file system: small campaigns (no engine to
 * start), and the reference the Spark job must match byte for byte.
 */
public final class LocalFileRunner implements FileRunner {
    private final FileStore store;

    public LocalFileRunner(FileStore store) {
        this.store = store;
    }

    @Override
    public List<FileResult> run(List<FileTask> tasks, SealingKeys keys, URI root) throws IOException {
        KeyRing ring = keys.toRing();
        FileGenerator generator = new FileGenerator(new TicketSealer(ring));
        List<FileResult> out = new ArrayList<>();
        for (FileTask t : tasks) {
            URI dir = Locations.child(root, t.variant);
            try {
                out.add(generator.generate(t, store, dir));
            } catch (IOException e) {
                throw new CommandLines.LocatedFailure(
                        "cannot write " + Locations.display(Locations.child(dir, t.fileName)) + ": " + e.getMessage(),
                        e);
            }
        }
        return out;
    }

    @Override
    public List<String> verify(List<ExpectedFile> files) {
        List<String> problems = new ArrayList<>();
        for (ExpectedFile f : files) {
            String p = f.check(store);
            if (p != null) {
                problems.add(p);
            }
        }
        return problems;
    }
}
