package io.redpacket.generation.split;

import io.redpacket.envelope.TicketSealer;
import io.redpacket.generation.plan.FileResult;
import io.redpacket.generation.plan.FileRunner;
import io.redpacket.generation.plan.FileTask;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.SealingKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Generates the files one after another in this JVM: for small campaigns, and as the reference the Spark job must match. */
public final class LocalFileRunner implements FileRunner {
    @Override
    public List<FileResult> run(List<FileTask> tasks, SealingKeys keys, Path root) throws IOException {
        KeyRing ring = keys.toRing();
        FileGenerator generator = new FileGenerator(new TicketSealer(ring));
        List<FileResult> out = new ArrayList<>();
        for (FileTask t : tasks) {
            out.add(generator.generate(t, root.resolve(t.variant)));
        }
        return out;
    }
}
