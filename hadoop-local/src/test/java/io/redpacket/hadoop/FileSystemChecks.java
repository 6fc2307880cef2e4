package io.redpacket.hadoop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Random;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** The file operations a stage does on a distributed file system, through Hadoop's own client. */
final class FileSystemChecks {
    private FileSystemChecks() {}

    /** Writes, reads back, lists, renames and deletes a file of {@code size} bytes under {@code dir}. */
    static void writeReadListRenameDelete(FileSystem fs, Path dir, int size) throws IOException {
        byte[] data = bytes(size, 42);
        Path a = new Path(dir, "part-0.bin");
        Path b = new Path(dir, "renamed/part-0.bin");
        write(fs, a, data);
        write(fs, new Path(dir, "_SUCCESS"), new byte[0]);

        assertThat(read(fs, a)).isEqualTo(data);
        FileStatus[] listed = fs.listStatus(dir);
        assertThat(Arrays.stream(listed)
                        .filter(FileStatus::isFile)
                        .map(s -> s.getPath().getName() + ":" + s.getLen()))
                .containsExactlyInAnyOrder("part-0.bin:" + size, "_SUCCESS:0");

        assertThat(fs.mkdirs(b.getParent())).isTrue();
        assertThat(fs.rename(a, b)).isTrue();
        assertThat(fs.exists(a)).isFalse();
        assertThat(read(fs, b)).isEqualTo(data);
        assertThat(fs.getFileStatus(b).getLen()).isEqualTo(size);

        assertThat(fs.delete(b, false)).isTrue();
        assertThat(fs.exists(b)).isFalse();
        assertThat(fs.delete(dir, true)).isTrue();
        assertThat(fs.exists(dir)).isFalse();
    }

    static byte[] bytes(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    static void write(FileSystem fs, Path path, byte[] data) throws IOException {
        try (OutputStream out = fs.create(path, false)) {
            out.write(data);
        }
    }

    static byte[] read(FileSystem fs, Path path) throws IOException {
        try (InputStream in = fs.open(path)) {
            return in.readAllBytes();
        }
    }

    /** Command lines of this JVM's live descendants (the fixtures' child JVMs). */
    static java.util.List<String> childCommandLines() {
        return ProcessHandle.current()
                .descendants()
                .filter(ProcessHandle::isAlive)
                .map(p -> p.info().commandLine().orElse(""))
                .toList();
    }
}
