package io.redpacket.sparkcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SparkSubmissionTest {

    @Test
    void buildsTheArgumentsAUserTypesAfterSparkSubmit() {
        SparkSubmission s = SparkSubmission.of(Path.of("/jobs/app.jar"), "com.example.Job")
                .conf("spark.executor.memory", "512m")
                .jars(List.of(Path.of("/jars/a.jar"), Path.of("/jars/b.jar")))
                .propertiesFile(Path.of("/secrets/app.properties"))
                .args("--in", "hdfs://nn:8020/in");

        assertThat(s.arguments("spark://127.0.0.1:7077"))
                .containsExactly(
                        "--master",
                        "spark://127.0.0.1:7077",
                        "--deploy-mode",
                        "client",
                        "--class",
                        "com.example.Job",
                        "--name",
                        "Job",
                        "--jars",
                        "/jars/a.jar,/jars/b.jar",
                        "--properties-file",
                        "/secrets/app.properties",
                        "--conf",
                        "spark.executor.memory=512m",
                        "/jobs/app.jar",
                        "--in",
                        "hdfs://nn:8020/in");
    }

    @Test
    void refusesASecretOnTheCommandLine() {
        SparkSubmission s = SparkSubmission.of(Path.of("app.jar"), "Job");
        for (String key : List.of(
                "spark.authenticate.secret",
                "spark.hadoop.fs.s3a.secret.key",
                "spark.executorEnv.REDPACKET_KEYSTORE_PASSWORD",
                "spark.hadoop.fs.s3a.session.token",
                "spark.ssl.keyStorePassword")) {
            assertThatThrownBy(() -> s.conf(key, "x"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(key)
                    .hasMessageContaining("properties-file");
        }
        // Settings that name where a secret is, or how it is found, are fine.
        s.conf("spark.authenticate.secret.file", "/secrets/spark")
                .conf(
                        "spark.hadoop.fs.s3a.aws.credentials.provider",
                        "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        assertThat(s.arguments("spark://h:1")).contains("spark.authenticate.secret.file=/secrets/spark");
    }
}
