package io.redpacket.settlement.io;

import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;

/** A generated class's single-object encoding ({@code toByteBuffer}/{@code fromByteBuffer}), as a serializable function. */
@FunctionalInterface
public interface AvroEncoder<T> extends Serializable {
    ByteBuffer encode(T value) throws IOException;

    static byte[] bytes(ByteBuffer bb) {
        byte[] out = new byte[bb.remaining()];
        bb.get(out);
        return out;
    }
}
