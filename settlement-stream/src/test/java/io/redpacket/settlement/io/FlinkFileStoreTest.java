package io.redpacket.settlement.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.io.FileStore;
import io.redpacket.io.Locations;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The FileStore contract (as schemas' FileStoreTest states it for java.nio and Hadoop) on Flink's file systems. */
class FlinkFileStoreTest {
    private static final FileStore STORE = FlinkFileStore.INSTANCE;

    @TempDir
    Path tmp;

    @Test
    void writesListsRenamesAndDeletes() throws Exception {
        URI root = Locations.parse(tmp.toString());
        URI a = Locations.child(root, "d/e/a.bin");
        try (OutputStream out = STORE.create(a)) {
            out.write("hello".getBytes(StandardCharsets.UTF_8));
        }
        STORE.writeAtomically(Locations.child(root, "d/b.txt"), out -> out.write(new byte[] {1, 2, 3}));
        STORE.writeAtomically(Locations.child(root, "d/b.txt"), out -> out.write(new byte[] {4, 5}));
        assertThat(STORE.readAllBytes(a)).asString().isEqualTo("hello");
        assertThat(STORE.size(Locations.child(root, "d/b.txt"))).isEqualTo(2);
        assertThat(STORE.isDirectory(Locations.child(root, "d"))).isTrue();
        assertThat(STORE.isDirectory(a)).isFalse();
        assertThat(STORE.listFiles(Locations.child(root, "d")))
                .containsExactly(new FileStore.Entry(Locations.child(root, "d/b.txt"), 2), new FileStore.Entry(a, 5));

        URI moved = Locations.child(root, "x/a.bin");
        STORE.rename(a, moved);
        assertThat(STORE.exists(a)).isFalse();
        assertThat(STORE.readAllBytes(moved)).asString().isEqualTo("hello");
        assertThatThrownBy(() -> STORE.rename(Locations.child(root, "d/b.txt"), moved))
                .isInstanceOf(FileAlreadyExistsException.class);

        STORE.deleteRecursively(Locations.child(root, "d"));
        assertThat(STORE.exists(Locations.child(root, "d"))).isFalse();
        STORE.deleteRecursively(Locations.child(root, "d"));
    }

    @Test
    void missingFilesAndDirectoriesAreNamed() {
        URI root = Locations.parse(tmp.toString());
        assertThatThrownBy(() -> STORE.open(Locations.child(root, "nope")))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(tmp.resolve("nope").toString());
        assertThatThrownBy(() -> STORE.open(root))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("directory");
        assertThatThrownBy(() -> STORE.listFiles(Locations.child(root, "nope")))
                .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void objectStoresDoNotRenameAtomicallyAndUnknownSchemesAreRefused() {
        assertThat(STORE.renamesAtomically(URI.create("hdfs://nn:8020/x"))).isTrue();
        assertThat(STORE.renamesAtomically(URI.create("file:///x"))).isTrue();
        assertThat(STORE.renamesAtomically(URI.create("s3a://bucket/x"))).isFalse();
        FlinkFileStore.requireSupported(URI.create("file:///x"));
        assertThatThrownBy(() -> FlinkFileStore.requireSupported(URI.create("nosuchfs://host/x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nosuchfs");
    }
}
