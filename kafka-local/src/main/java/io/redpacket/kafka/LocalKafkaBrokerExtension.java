package io.redpacket.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real single-node KRaft broker for a test class: started before its first test, stopped after its last, data in a
 * fresh directory under the temp folder. Register it in a static field:
 * {@code @RegisterExtension static final LocalKafkaBrokerExtension KAFKA = new LocalKafkaBrokerExtension();}.
 * Tests that kill or restart the broker start their own ({@link LocalKafkaBroker#start}).
 */
public final class LocalKafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {
    private LocalKafkaBroker broker;
    private Path dir;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"))
                .resolve("kafka-" + context.getRequiredTestClass().getSimpleName() + "-" + UUID.randomUUID()));
        broker = LocalKafkaBroker.start(dir);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (broker != null) {
            broker.close();
            broker = null;
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    public LocalKafkaBroker broker() {
        if (broker == null) {
            throw new IllegalStateException(
                    "the broker runs only while the test class does (register the extension in a static field)");
        }
        return broker;
    }

    public String bootstrapServers() {
        return broker().bootstrapServers();
    }

    /** A topic with a fresh name (prefix + random suffix), so the tests of one class never share one. */
    public String newTopic(String prefix, int partitions) {
        String name = prefix + "-" + UUID.randomUUID();
        broker().createTopic(name, partitions);
        return name;
    }
}
