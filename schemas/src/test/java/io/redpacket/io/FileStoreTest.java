package io.redpacket.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The same contract on local disk through java.nio and through Hadoop's client (its local file system). */
class FileStoreTest {
    @TempDir
    Path tmp;

    static Stream<FileStore> stores() {
        return Stream.of(LocalFileStore.INSTANCE, new HadoopFileStore(new Configuration()));
    }

    @ParameterizedTest
    @MethodSource("stores")
    void writesListsRenamesAndDeletes(FileStore store) throws Exception {
        URI root = Locations.parse(tmp.toString());
        URI a = Locations.child(root, "d/e/a.bin");
        try (OutputStream out = store.create(a)) {
            out.write("hello".getBytes(StandardCharsets.UTF_8));
        }
        store.writeAtomically(Locations.child(root, "d/b.txt"), out -> out.write(new byte[] {1, 2, 3}));
        store.writeAtomically(Locations.child(root, "d/b.txt"), out -> out.write(new byte[] {4, 5}));
        assertThat(store.readAllBytes(a)).asString().isEqualTo("hello");
        assertThat(store.size(Locations.child(root, "d/b.txt"))).isEqualTo(2);
        assertThat(store.isDirectory(Locations.child(root, "d"))).isTrue();
        assertThat(store.listFiles(Locations.child(root, "d")))
                .extracting(e -> Locations.relativize(root, e.uri()), FileStore.Entry::sizeBytes)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("d/b.txt", 2L),
                        org.assertj.core.groups.Tuple.tuple("d/e/a.bin", 5L));

        store.rename(Locations.child(root, "d"), Locations.child(root, "published"));
        assertThat(store.exists(Locations.child(root, "d"))).isFalse();
        assertThat(store.readAllBytes(Locations.child(root, "published/e/a.bin")))
                .hasSize(5);
        store.mkdirs(Locations.child(root, "other"));
        assertThatThrownBy(() -> store.rename(Locations.child(root, "published"), Locations.child(root, "other")))
                .isInstanceOf(FileAlreadyExistsException.class);

        store.deleteRecursively(Locations.child(root, "published"));
        store.deleteRecursively(Locations.child(root, "never-there"));
        assertThat(store.exists(Locations.child(root, "published"))).isFalse();
    }

    @ParameterizedTest
    @MethodSource("stores")
    void missingFilesAreNamedAsNoSuchFile(FileStore store) {
        URI missing = Locations.parse(tmp.resolve("nope.avro").toString());
        assertThatThrownBy(() -> store.open(missing))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("nope.avro");
        assertThatThrownBy(() -> store.size(missing)).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> store.listFiles(missing)).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> store.open(Locations.parse(tmp.toString())))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("directory");
    }

    @org.junit.jupiter.api.Test
    void aWriteThatFailsKeepsItsReasonWhenCloseRethrowsIt() {
        // HDFS's output stream rethrows its first failure (a quota, a lost DataNode) from close(); try-with-resources
        // would turn that into "Self-suppression not permitted" and lose the reason.
        java.io.IOException quota = new java.io.IOException("The DiskSpace quota of /full is exceeded");
        FileStore failing = (FileStore) java.lang.reflect.Proxy.newProxyInstance(
                FileStore.class.getClassLoader(),
                new Class<?>[] {FileStore.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "create" ->
                        new OutputStream() {
                            @Override
                            public void write(int b) throws java.io.IOException {
                                throw quota;
                            }

                            @Override
                            public void close() throws java.io.IOException {
                                throw quota;
                            }
                        };
                    case "renamesAtomically" -> false;
                    default -> java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args);
                });
        assertThatThrownBy(() -> failing.writeAtomically(URI.create("hdfs://nn/full/x"), out -> out.write(1)))
                .isSameAs(quota);
    }

    @org.junit.jupiter.api.Test
    void hadoopWritesLocalFilesWithoutChecksumSideFiles() throws Exception {
        // Edges list campaign directories with java.nio: Hadoop's hidden .crc files must not be there.
        HadoopFileStore store = new HadoopFileStore(new Configuration());
        URI root = Locations.parse(tmp.toString());
        try (OutputStream out = store.create(Locations.child(root, "v/envelopes/a.env"))) {
            out.write(new byte[26]);
        }
        store.writeAtomically(Locations.child(root, "v/b.avro"), out -> out.write(new byte[] {1}));
        try (Stream<java.nio.file.Path> all = java.nio.file.Files.walk(tmp)) {
            assertThat(all.filter(java.nio.file.Files::isRegularFile)
                            .map(p -> tmp.relativize(p).toString()))
                    .containsExactlyInAnyOrder("v/envelopes/a.env", "v/b.avro");
        }
    }

    @org.junit.jupiter.api.Test
    void hadoopRefusesAnUnknownSchemeNamingIt() {
        HadoopFileStore store = new HadoopFileStore(new Configuration());
        assertThatThrownBy(() -> store.requireSupported(URI.create("hfds://nn/x")))
                .hasMessageContaining("no file system for scheme 'hfds'");
        store.requireSupported(URI.create("file:///x"));
        assertThat(store.renamesAtomically(URI.create("s3a://b/x"))).isFalse();
        assertThat(store.renamesAtomically(URI.create("hdfs://nn/x"))).isTrue();
    }
}
