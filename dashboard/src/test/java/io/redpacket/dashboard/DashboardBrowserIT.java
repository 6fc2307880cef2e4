package io.redpacket.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.redpacket.avro.ControlAction;
import io.redpacket.avro.ControlCommand;
import io.redpacket.avro.LiveMetric;
import io.redpacket.io.Topics;
import io.redpacket.kafka.FreePorts;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard end to end, as an operator uses it: a small real campaign ({@code bin/redpacket campaign
 * --dashboard-port}: real broker, settlement, two edges, the crowd) and Debian's Chromium, headless, driven by
 * Selenium through /usr/bin/chromedriver. The page shows live numbers that change; a wrong operator token is
 * refused and audited; pausing dispensing in the page (token, button, confirmation) pauses every edge: their
 * admin status says so, shakes get "paused", dispensed stops while shakes go on, the page shows it, the audit
 * log and the control topic hold the command with the operator's name; resuming dispenses again. Screenshots go
 * to {@code target/}.
 */
class DashboardBrowserIT {
    static final Path HOME = Path.of(System.getProperty("user.dir")).getParent();
    static final Path TARGET = Path.of(System.getProperty("user.dir")).resolve("target");
    static final String CHROMIUM = System.getProperty("chromium.binary", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("chromedriver", "/usr/bin/chromedriver");
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    static final ObjectMapper JSON = new ObjectMapper();
    /** An edge series with only the edge label; the Prometheus client writes values as floats ({@code 2.0}, {@code 1.2E7}). */
    private Process campaign;

    private WebDriver browser;

    @AfterEach
    void stopAll() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (campaign != null) {
            // SIGTERM: the campaign stops every process it started (its shutdown hook), then we make sure.
            campaign.destroy();
            if (!campaign.waitFor(90, TimeUnit.SECONDS)) {
                campaign.descendants().forEach(ProcessHandle::destroyForcibly);
                campaign.destroyForcibly();
            }
        }
    }

    @Test
    @Timeout(
            value = 15,
            unit = TimeUnit.MINUTES) // a clean checkout builds every stage on first use; ~2.5 min once built
    void anOperatorWatchesTheCampaignLiveAndPausesDispensingFromThePage() throws Exception {
        assertThat(Path.of(CHROMEDRIVER))
                .as("apt-get install -y chromium chromium-driver (see README)")
                .isExecutable();
        assertThat(Path.of(CHROMIUM))
                .as("apt-get install -y chromium chromium-driver (see README)")
                .isExecutable();
        Path work = TARGET.resolve("dashboard-it-" + System.nanoTime());
        int kafka = free(1), edgePort = free(2), adminPort = free(2), dashboardPort = free(1);
        List<String> cmd = List.of(
                HOME.resolve("bin/redpacket").toString(),
                "campaign",
                "--work",
                work.toString(),
                "--edges",
                "2",
                "--shards",
                "4",
                "--users",
                "400",
                "--slot-seconds",
                "30",
                "--kafka-port",
                String.valueOf(kafka),
                "--kafka-controller-port",
                String.valueOf(free(1)),
                "--edge-port",
                String.valueOf(edgePort),
                "--admin-port",
                String.valueOf(adminPort),
                "--prometheus-port",
                String.valueOf(free(1)),
                "--flink-ui-port",
                String.valueOf(free(1)),
                "--identity-port",
                String.valueOf(free(1)),
                "--dashboard-port",
                String.valueOf(dashboardPort));
        Path log = Files.createDirectories(TARGET).resolve(work.getFileName() + ".log");
        campaign = new ProcessBuilder(cmd)
                .directory(HOME.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        browser = chromium(); // starts while the campaign starts

        String url = "http://127.0.0.1:" + dashboardPort + "/";
        await(
                Duration.ofMinutes(12),
                "the campaign to print the dashboard's URL (log " + log + ")",
                () -> campaignLog(log).contains("dashboard: " + url));
        browser.get(url);

        // Live numbers that change.
        await(Duration.ofSeconds(30), "the event stream", () -> text("conn").equals("live"));
        await(
                Duration.ofSeconds(90),
                "envelopes dispensed per second (from the edges' live metrics)",
                () -> number("rate-dispensed") > 0);
        await(
                Duration.ofSeconds(60),
                "opens and credits",
                () -> number("total-opens") > 0 && number("total-credits") > 0);
        WebElement chart = browser.findElement(By.id("chart-throughput"));
        long firstSecond = Long.parseLong(chart.getAttribute("data-last-t"));
        long firstOpens = number("total-opens");
        await(
                Duration.ofSeconds(20),
                "the chart to move on and the totals to grow",
                () -> Long.parseLong(chart.getAttribute("data-last-t")) > firstSecond
                        && number("total-opens") > firstOpens);
        assertThat(Integer.parseInt(chart.getAttribute("data-points"))).isGreaterThan(2);
        assertThat(browser.findElements(By.cssSelector("#edges tbody tr"))).hasSize(2);
        assertThat(browser.findElements(By.cssSelector("#sponsors tbody tr"))).hasSize(5);
        assertThat(browser.findElement(By.cssSelector("#slots tbody tr.running")))
                .isNotNull();
        screenshot("dashboard-live.png");

        // A wrong token is refused, changes nothing, and is audited.
        Path secrets = work.resolve("secrets");
        String adminToken = Files.readString(secrets.resolve("admin-token")).trim();
        String operatorLine =
                Files.readString(secrets.resolve("operator-token")).trim();
        String operator = operatorLine.substring(0, operatorLine.indexOf(':'));
        String operatorToken = operatorLine.substring(operatorLine.indexOf(':') + 1);
        pull("sw-pause", "wrong-token-0123456789abcdef", "Pause dispensing on every edge");
        await(Duration.ofSeconds(20), "the refusal", () -> "401".equals(resultStatus()));
        assertThat(text("switch-result")).contains("401", "unauthorized");
        for (int e = 0; e < 2; e++) {
            assertThat(adminStatus(adminPort + e, adminToken).get("paused").asText())
                    .isEqualTo("false");
        }

        // Pause dispensing from the page.
        pull("sw-pause", operatorToken, "Pause dispensing on every edge");
        await(Duration.ofSeconds(30), "the pause to be published", () -> "200".equals(resultStatus()));
        assertThat(text("switch-result")).contains("published");
        // The edges apply it from the control topic (not from the dashboard): their admin status and acknowledgements
        // say so.
        for (int e = 0; e < 2; e++) {
            int port = adminPort + e;
            await(
                    Duration.ofSeconds(30),
                    "edge " + (e + 1) + " paused",
                    () -> "true".equals(pausedOn(port, adminToken)));
        }
        await(
                Duration.ofSeconds(30),
                "the page to show the pause applied by both edges",
                () -> text("audit").contains("applied by edge-1, edge-2"));
        Map<String, Long> atPause = edgeCounters(kafka, System.currentTimeMillis());
        // The crowd keeps shaking; nothing more is dispensed.
        await(
                Duration.ofSeconds(30),
                "more shakes after the pause",
                () -> edgeCounters(kafka, 0).get("shakes") >= atPause.get("shakes") + 30);
        assertThat(edgeCounters(kafka, 0).get("dispensed")).isEqualTo(atPause.get("dispensed"));
        await(
                Duration.ofSeconds(20),
                "the page to show both edges paused and nothing dispensed",
                () -> browser.findElements(By.cssSelector("#edges td.state.paused"))
                                        .size()
                                == 2
                        && number("rate-dispensed") == 0);
        screenshot("dashboard-paused.png");

        // Audited with the operator's name, and recorded on the control topic.
        List<JsonNode> audit = new ArrayList<>();
        for (String line : Files.readAllLines(work.resolve("dashboard/audit.log"))) {
            audit.add(JSON.readTree(line));
        }
        assertThat(audit)
                .anyMatch(a -> a.get("action").asText().equals("pause")
                        && a.get("outcome").asText().equals("unauthorized")
                        && a.get("operator").asText().equals("-"));
        JsonNode applied = audit.stream()
                .filter(a -> a.get("outcome").asText().equals("published"))
                .findFirst()
                .orElseThrow();
        assertThat(applied.get("operator").asText()).isEqualTo(operator);
        assertThat(applied.get("action").asText()).isEqualTo("pause");
        assertThat(applied.get("targets")).hasSize(1).allMatch(t -> t.get("ok").asBoolean());
        assertThat(applied.get("offset").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(Files.readString(work.resolve("dashboard/audit.log"))).doesNotContain(operatorToken, adminToken);
        ControlCommand recorded = controlCommand(kafka, applied.get("commandId").asText());
        assertThat(recorded.getAction()).isEqualTo(ControlAction.PAUSE_DISPENSING);
        assertThat(recorded.getOperator()).isEqualTo(operator);

        // Resume: dispensing again.
        pull("sw-resume", operatorToken, "Resume dispensing");
        await(
                Duration.ofSeconds(30),
                "the resume to be published",
                () -> "200".equals(resultStatus()) && text("switch-result").startsWith("resume"));
        await(Duration.ofSeconds(30), "edge 1 resumed", () -> "false".equals(pausedOn(adminPort, adminToken)));
        await(
                Duration.ofSeconds(30),
                "envelopes dispensed again",
                () -> edgeCounters(kafka, 0).get("dispensed") > atPause.get("dispensed"));
        assertThat(campaign.isAlive()).as("campaign still running; log %s", log).isTrue();
    }

    // ---- the page ------------------------------------------------------------------------------------------

    private static WebDriver chromium() throws IOException {
        Path profile = Files.createTempDirectory(Files.createDirectories(TARGET), "chromium-profile-");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM);
        o.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                "--window-size=1600,2200");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .withLogFile(TARGET.resolve("chromedriver.log").toFile())
                .build();
        return new ChromeDriver(service, o);
    }

    /** Types the token, clicks the switch, checks the confirmation dialog says what it will do, confirms. */
    private void pull(String button, String token, String expectedConfirmation) throws InterruptedException {
        WebElement input = browser.findElement(By.id("op-token"));
        input.clear();
        input.sendKeys(token);
        browser.findElement(By.id(button)).click();
        await(
                Duration.ofSeconds(10),
                "the confirmation dialog",
                () -> browser.findElement(By.id("confirm")).isDisplayed());
        assertThat(text("confirm-text")).contains(expectedConfirmation);
        browser.findElement(By.id("confirm-ok")).click();
    }

    private String resultStatus() {
        return browser.findElement(By.id("switch-result")).getAttribute("data-status");
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText().trim();
    }

    private long number(String id) {
        String t = text(id).replace(",", "");
        return t.matches("\\d+") ? Long.parseLong(t) : -1;
    }

    private void screenshot(String name) throws IOException {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), TARGET.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    // ---- the system behind it --------------------------------------------------------------------------------

    private static JsonNode adminStatus(int adminPort, String token) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/admin/status"))
                        .header("Authorization", "Bearer " + token)
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** The edge's "paused" as its admin status says it, or null if it does not answer. */
    private static String pausedOn(int adminPort, String token) {
        try {
            return adminStatus(adminPort, token).get("paused").asText();
        } catch (Exception | AssertionError e) {
            return null;
        }
    }

    private static String post(String url, String form) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(5))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString(form))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /**
     * Edge 1's counters (shakes, dispensed: totals since it started) as it last published them on the metrics topic, in a
     * window ending after {@code afterMs} (waited for): the edge's own word, typed ({@code LiveMetric}), not the dashboard's.
     */
    private static Map<String, Long> edgeCounters(int kafkaPort, long afterMs) {
        try (KafkaConsumer<byte[], byte[]> c = fromStart(kafkaPort, Topics.METRICS)) {
            Set<TopicPartition> parts = c.assignment();
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            Map<String, Long> latest = new java.util.HashMap<>();
            long newestWindow = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    LiveMetric m = LiveMetric.fromByteBuffer(ByteBuffer.wrap(r.value()));
                    if (m.getSource().toString().equals("edge-1") && m.getTags().isEmpty()) {
                        latest.put(m.getName().toString(), m.getValue());
                        newestWindow = Math.max(newestWindow, m.getWindowEndMs());
                    }
                }
                boolean caughtUp = parts.stream().allMatch(tp -> c.position(tp) >= end.get(tp));
                if (caughtUp
                        && newestWindow > afterMs
                        && latest.containsKey("shakes")
                        && latest.containsKey("dispensed")) {
                    return latest;
                }
                if (caughtUp) {
                    end.putAll(c.endOffsets(parts));
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new AssertionError("no metrics of edge-1 on " + Topics.METRICS + " for a window ending after " + afterMs);
    }

    /** A consumer of every partition of {@code topic}, positioned at the first record. */
    private static KafkaConsumer<byte[], byte[]> fromStart(int kafkaPort, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort);
        KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                .map(i -> new TopicPartition(topic, i.partition()))
                .toList();
        c.assign(parts);
        c.seekToBeginning(parts);
        return c;
    }

    private static ControlCommand controlCommand(int kafkaPort, String commandId) throws Exception {
        try (KafkaConsumer<byte[], byte[]> c = fromStart(kafkaPort, Topics.CONTROL)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    ControlCommand cc = ControlCommand.fromByteBuffer(ByteBuffer.wrap(r.value()));
                    if (cc.getCommandId().equals(commandId)) {
                        return cc;
                    }
                }
            }
        }
        throw new AssertionError("command " + commandId + " not on " + Topics.CONTROL);
    }

    private String campaignLog(Path log) {
        try {
            String out = Files.readString(log);
            assertThat(campaign.isAlive()).as("campaign exited early:\n%s", out).isTrue();
            return out;
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits for a condition of the page; an exception while reading it (an element re-rendered between find and read) retries. */
    private static void await(Duration timeout, String what, Supplier<Boolean> condition) {
        org.awaitility.Awaitility.await(what)
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> Boolean.TRUE.equals(condition.get()));
    }

    private final FreePorts ports = new FreePorts();

    private int free(int width) {
        return ports.next(width);
    }
}
