package io.redpacket.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The operators' audit log: one JSON object per line (time, command id, operator, client address, action,
 * arguments, outcome, and per target what happened), appended and forced to disk before the answer goes back,
 * never rewritten. Refused requests (bad token, bad arguments) are logged too. Tokens are never written.
 * The last entries are kept in memory for the page.
 */
public final class AuditLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RECENT = 20;

    private final Path file;
    private final FileChannel channel;
    private final Deque<ObjectNode> recent = new ArrayDeque<>();

    public AuditLog(Path file) throws IOException {
        this.file = file.toAbsolutePath();
        Path dir = this.file.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        this.channel = FileChannel.open(
                this.file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    public Path file() {
        return file;
    }

    /** Appends one entry and forces it to disk. */
    public synchronized void append(ObjectNode entry) throws IOException {
        byte[] line = (JSON.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.wrap(line);
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
        channel.force(false);
        recent.addFirst(entry.deepCopy());
        while (recent.size() > RECENT) {
            recent.removeLast();
        }
    }

    /** The latest entries of this process, newest first. */
    public synchronized List<ObjectNode> recent() {
        List<ObjectNode> out = new ArrayList<>();
        recent.forEach(e -> out.add(e.deepCopy()));
        return out;
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
