package io.redpacket.hadoop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.s3a.S3AFileSystem;
import org.apache.hadoop.util.VersionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class LocalS3IT {

    @Test
    @Timeout(300)
    void s3aWritesReadsListsRenamesAndDeletesWithMultipartUploads(@TempDir java.nio.file.Path dir) throws Exception {
        System.out.println("Hadoop client " + VersionInfo.getVersion() + " (s3a from "
                + ChildJvm.codeSource(S3AFileSystem.class).getFileName() + ", AWS SDK from "
                + ChildJvm.codeSource(software.amazon.awssdk.services.s3.S3Client.class)
                        .getFileName() + ") against s3proxy "
                + LocalS3.VERSION);
        try (LocalS3 s3 = LocalS3.start(dir.resolve("s3"))) {
            s3.createBucket("campaigns");
            s3.createBucket("campaigns"); // again: a bucket we own is fine

            Configuration conf = s3aConf(s3, dir);
            // 5 MiB parts (S3's minimum): the 12 MiB file goes up as a three-part multipart upload.
            conf.set("fs.s3a.multipart.size", "5M");
            conf.set("fs.s3a.multipart.threshold", "5M");
            try (FileSystem fs = FileSystem.newInstance(URI.create("s3a://campaigns/"), conf)) {
                assertThat(fs).isInstanceOf(S3AFileSystem.class);
                FileSystemChecks.writeReadListRenameDelete(fs, new Path("s3a://campaigns/run-1"), 12 << 20);
                FileSystemChecks.writeReadListRenameDelete(fs, new Path("s3a://campaigns/run-2"), 1000);
            }
            // The server stored what the client wrote, under the bucket's directory.
            assertThat(s3.workDir().resolve("data").resolve("campaigns")).isDirectory();
        }
    }

    @Test
    @Timeout(300)
    void keysAreRandomPerStartOwnerOnlyNeverOnACommandLineAndChecked(@TempDir java.nio.file.Path dir) throws Exception {
        String firstKey;
        try (LocalS3 s3 = LocalS3.start(dir.resolve("s3-a"))) {
            firstKey = s3.accessKey();
        }
        try (LocalS3 s3 = LocalS3.start(dir.resolve("s3-b"))) {
            assertThat(s3.accessKey()).isNotEqualTo(firstKey);
            for (java.nio.file.Path f : new java.nio.file.Path[] {
                s3.accessKeyFile(), s3.secretKeyFile(), s3.workDir().resolve("s3proxy.properties")
            }) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                        .isEqualTo("rw-------");
            }
            assertThat(Files.readString(s3.secretKeyFile()).trim()).isEqualTo(s3.secretKey());
            assertThat(FileSystemChecks.childCommandLines())
                    .anyMatch(c -> c.contains("org.gaul.s3proxy.Main"))
                    .noneMatch(c -> c.contains(s3.secretKey()) || c.contains(s3.accessKey()));

            s3.createBucket("locked");
            Configuration wrong = s3aConf(s3, dir);
            wrong.set("fs.s3a.secret.key", "not-the-secret-" + s3.secretKey().substring(15));
            wrong.set("fs.s3a.attempts.maximum", "1");
            wrong.set("fs.s3a.retry.limit", "1");
            try (FileSystem fs = FileSystem.newInstance(URI.create("s3a://locked/"), wrong)) {
                assertThatThrownBy(() -> FileSystemChecks.write(fs, new Path("s3a://locked/x"), new byte[10]))
                        .hasMessageContaining("403");
            }
        }
    }

    static Configuration s3aConf(LocalS3 s3, java.nio.file.Path dir) {
        Configuration conf = new Configuration();
        s3.s3aProperties().forEach(conf::set);
        conf.set("fs.s3a.buffer.dir", dir.resolve("s3a-buffer").toString());
        return conf;
    }
}
