package io.redpacket.hadoop;

import io.redpacket.kafka.FreePorts;
import io.redpacket.kafka.LocalKafkaBroker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real S3 API server (s3proxy {@value #VERSION} with its on-disk {@code filesystem-nio2} backend) in a child JVM
 * started from the Maven jar recorded at build time, on a loopback port. Every start generates a new random access
 * key and secret, writes them to owner-only files in the work directory ({@code access-key}, {@code secret-key})
 * and hands them to s3proxy in its owner-only properties file, never on a command line.
 *
 * <p>Objects live under {@code <work dir>/data/<bucket>/}. The process log is {@code <work dir>/s3proxy.log}; the
 * child is killed when this JVM exits. {@link #s3aProperties()} gives the Hadoop {@code s3a://} client settings
 * that work against it (see the module README for the why of each).
 */
public final class LocalS3 implements AutoCloseable {
    static final String VERSION = "4.0.0";
    /** s3proxy accepts any region in a signature; clients must name one (the AWS SDK v2 does not guess offline). */
    public static final String REGION = "us-east-1";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    private final Path workDir;
    private final int port;
    private final String accessKey;
    private final String secretKey;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ChildJvm process;

    private LocalS3(Path workDir, int port, String accessKey, String secretKey) {
        this.workDir = workDir;
        this.port = port;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    /** Starts on a free loopback port (from {@link FreePorts}). */
    public static LocalS3 start(Path workDir) throws IOException {
        return start(workDir, new FreePorts().next(1));
    }

    public static LocalS3 start(Path workDir, int port) throws IOException {
        LocalKafkaBroker.checkPortFree(port, "S3 API (s3proxy)");
        Files.createDirectories(workDir.resolve("data"));
        Files.createDirectories(workDir.resolve("tmp"));
        SecureRandom random = new SecureRandom();
        LocalS3 s3 = new LocalS3(
                workDir.toAbsolutePath(),
                port,
                "AK" + randomString(random, 18, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
                randomString(random, 40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"));
        s3.writeConfig();
        s3.launch();
        return s3;
    }

    /** {@code http://127.0.0.1:<port>}: the endpoint for path-style requests. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    /** Owner-only file holding the access key (for jobs that read their credentials from a file). */
    public Path accessKeyFile() {
        return workDir.resolve("access-key");
    }

    /** Owner-only file holding the secret key. */
    public Path secretKeyFile() {
        return workDir.resolve("secret-key");
    }

    public Path workDir() {
        return workDir;
    }

    public Path logFile() {
        return workDir.resolve("s3proxy.log");
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Creates a bucket through the S3 API (a signed PUT); an existing bucket of ours is fine. */
    public void createBucket(String name) throws IOException {
        HttpResponse<String> r = send("PUT", "/" + name);
        if (r.statusCode() != 200 && !(r.statusCode() == 409 && r.body().contains("BucketAlreadyOwnedByYou"))) {
            throw new IOException(
                    "cannot create bucket " + name + " on " + endpoint() + ": HTTP " + r.statusCode() + " " + r.body());
        }
    }

    /**
     * The Hadoop {@code fs.s3a.*} client settings for this server: endpoint, region, path-style access, plain HTTP,
     * static credentials. Put them in the client's {@code Configuration} (or as {@code spark.hadoop.*}); the two
     * keys are secrets: a job should take them from a credential file, not from a command line (see the README).
     */
    public Map<String, String> s3aProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("fs.s3a.endpoint", endpoint());
        p.put("fs.s3a.endpoint.region", REGION);
        p.put("fs.s3a.path.style.access", "true");
        p.put("fs.s3a.connection.ssl.enabled", "false");
        p.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        p.put("fs.s3a.access.key", accessKey);
        p.put("fs.s3a.secret.key", secretKey);
        return p;
    }

    /** Stops the server (SIGTERM, SIGKILL after a grace period). */
    public void stop() {
        if (process != null) {
            process.stop(STOP_GRACE);
            process = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void writeConfig() throws IOException {
        OwnerOnlyFiles.write(accessKeyFile(), accessKey + "\n");
        OwnerOnlyFiles.write(secretKeyFile(), secretKey + "\n");
        OwnerOnlyFiles.write(
                propertiesFile(),
                String.join(
                        "\n",
                        "s3proxy.endpoint=" + endpoint(),
                        "s3proxy.authorization=aws-v2-or-v4",
                        "s3proxy.identity=" + accessKey,
                        "s3proxy.credential=" + secretKey,
                        "jclouds.provider=filesystem-nio2",
                        // The backend's own login, which s3proxy requires even for a local directory; not a secret.
                        "jclouds.identity=local",
                        "jclouds.credential=local",
                        "jclouds.filesystem.basedir=" + workDir.resolve("data"),
                        ""));
    }

    private Path propertiesFile() {
        return workDir.resolve("s3proxy.properties");
    }

    private void launch() throws IOException {
        process = ChildJvm.builder("s3proxy", logFile())
                .classpath(ChildJvm.recordedClasspath(LocalS3.class, "s3proxy.classpath"))
                .heap(System.getProperty("redpacket.s3.heap", "256m"))
                .jvmArgs(List.of(
                        "-XX:+UseSerialGC",
                        "-XX:TieredStopAtLevel=1",
                        "-Djava.io.tmpdir=" + workDir.resolve("tmp"),
                        "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener"))
                .mainClass(
                        "org.gaul.s3proxy.Main",
                        List.of("--properties", propertiesFile().toString()))
                .directory(workDir)
                .start();
        // Ready when a signed ListBuckets succeeds: the port is open and our credentials are the server's.
        process.awaitReady("s3proxy", START_TIMEOUT, () -> send("GET", "/").statusCode() == 200);
    }

    /** One AWS Signature V4 request without a body (bucket-level calls; objects go through a real S3 client). */
    private HttpResponse<String> send(String method, String path) throws IOException {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        String amzDate = AMZ_DATE.format(now);
        String day = amzDate.substring(0, 8);
        String host = "127.0.0.1:" + port;
        String signedHeaders = "host;x-amz-content-sha256;x-amz-date";
        String canonicalRequest = String.join(
                "\n",
                method,
                path,
                "",
                "host:" + host,
                "x-amz-content-sha256:" + EMPTY_SHA256,
                "x-amz-date:" + amzDate,
                "",
                signedHeaders,
                EMPTY_SHA256);
        String scope = day + "/" + REGION + "/s3/aws4_request";
        String stringToSign = String.join("\n", "AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonicalRequest));
        byte[] key = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), day);
        key = hmac(key, REGION);
        key = hmac(key, "s3");
        key = hmac(key, "aws4_request");
        String signature = HexFormat.of().formatHex(hmac(key, stringToSign));
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .header("x-amz-date", amzDate)
                .header("x-amz-content-sha256", EMPTY_SHA256)
                .header(
                        "Authorization",
                        "AWS4-HMAC-SHA256 Credential=" + accessKey + "/" + scope + ", SignedHeaders=" + signedHeaders
                                + ", Signature=" + signature)
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + method + " " + path, e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256Hex(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String randomString(SecureRandom random, int length, String alphabet) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    /**
     * Runs the S3 API server as a process of its own until killed: {@code LocalS3 <work dir> [port] [bucket...]}.
     * Prints the endpoint and the credential files; the server stops when this process ends.
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: LocalS3 <work dir> [port [bucket...]]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        LocalS3 s3 = args.length >= 2 ? start(dir, Integer.parseInt(args[1])) : start(dir);
        Runtime.getRuntime().addShutdownHook(new Thread(s3::close, "local-s3-main-shutdown"));
        for (int i = 2; i < args.length; i++) {
            s3.createBucket(args[i]);
        }
        System.out.println(s3.endpoint());
        System.out.println("access key: " + s3.accessKeyFile());
        System.out.println("secret key: " + s3.secretKeyFile());
        System.out.println("log: " + s3.logFile());
        Thread.currentThread().join();
    }
}
