package io.redpacket.edge.kafka;

import java.util.concurrent.CompletableFuture;

/** Where verified opens go: completes once the event is durably enqueued, exceptionally after final failure. */
public interface OpenSink extends AutoCloseable {
    CompletableFuture<Void> publish(String key, byte[] value);

    @Override
    void close();
}
