package io.redpacket.reconciliation.scan;

import io.redpacket.avro.BatchConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Batch configs in Avro single-object encoding, to ship to tasks without Java serialization of Avro classes
 * (which Avro 1.12 refuses unless every executor sets SERIALIZABLE_PACKAGES).
 */
public final class BatchBytes {
    private BatchBytes() {}

    public static byte[][] encode(List<BatchConfig> batches) {
        byte[][] out = new byte[batches.size()][];
        for (int i = 0; i < out.length; i++) {
            try {
                ByteBuffer bb = batches.get(i).toByteBuffer();
                out[i] = new byte[bb.remaining()];
                bb.get(out[i]);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    public static List<BatchConfig> decode(byte[][] encoded) {
        List<BatchConfig> out = new ArrayList<>(encoded.length);
        for (byte[] b : encoded) {
            try {
                out.add(BatchConfig.fromByteBuffer(ByteBuffer.wrap(b)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }
}
