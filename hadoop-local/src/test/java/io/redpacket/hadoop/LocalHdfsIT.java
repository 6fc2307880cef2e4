package io.redpacket.hadoop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.VersionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class LocalHdfsIT {

    @Test
    @Timeout(300)
    void writesReadsListsRenamesAndDeletesThroughTheHadoopClientAndKeepsFilesAcrossARestart(
            @TempDir java.nio.file.Path dir) throws Exception {
        System.out.println("Hadoop client " + VersionInfo.getVersion() + " against HDFS server " + LocalHdfs.VERSION);
        try (LocalHdfs hdfs = LocalHdfs.start(dir.resolve("hdfs"))) {
            assertThat(hdfs.uri().toString()).isEqualTo("hdfs://127.0.0.1:" + hdfs.port());
            assertThat(FileSystemChecks.childCommandLines()).anyMatch(c -> c.contains(HdfsServer.class.getName()));
            try (FileSystem fs = FileSystem.newInstance(hdfs.uri(), new Configuration())) {
                // Three blocks of 1 MiB and a short one: the DataNode stores and serves every block.
                Configuration small = new Configuration(fs.getConf());
                small.setLong("dfs.blocksize", 1 << 20);
                try (FileSystem smallBlocks = FileSystem.newInstance(hdfs.uri(), small)) {
                    FileSystemChecks.writeReadListRenameDelete(
                            smallBlocks, new Path("/campaign/run-1"), (3 << 20) + 12_345);
                }

                byte[] kept = FileSystemChecks.bytes(100_000, 7);
                FileSystemChecks.write(fs, new Path("/kept/envelopes.bin"), kept);
            }

            hdfs.restart();

            try (FileSystem fs = FileSystem.newInstance(hdfs.uri(), new Configuration())) {
                assertThat(FileSystemChecks.read(fs, new Path(hdfs.uri("/kept/envelopes.bin"))))
                        .isEqualTo(FileSystemChecks.bytes(100_000, 7));
            }
        }
        assertThat(FileSystemChecks.childCommandLines()).noneMatch(c -> c.contains(HdfsServer.class.getName()));
    }

    @Test
    @Timeout(120)
    void aServerThatCannotStartFailsWithItsLogNamed(@TempDir java.nio.file.Path dir) throws IOException {
        java.nio.file.Path work = dir.resolve("hdfs");
        Files.createDirectories(work);
        Files.writeString(work.resolve("data"), "a file where the storage directory should be");

        assertThatThrownBy(() -> LocalHdfs.start(work))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("exited with code")
                .hasMessageContaining(work.resolve("hdfs.log").toString());
        assertThat(FileSystemChecks.childCommandLines()).noneMatch(c -> c.contains(HdfsServer.class.getName()));
    }
}
