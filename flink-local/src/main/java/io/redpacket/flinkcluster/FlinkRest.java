package io.redpacket.flinkcluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The JobManager's REST API (the one the web UI and {@code flink list} use), read with the JDK's HTTP client.
 * Failures to reach it are {@link UncheckedIOException}s; a job that fails while a caller waits for it is an
 * {@link IllegalStateException} carrying the JobManager's exception history.
 */
public final class FlinkRest {
    private static final Set<String> TERMINAL = Set.of("FINISHED", "FAILED", "CANCELED");
    private static final Duration POLL = Duration.ofMillis(250);

    private final String baseUrl;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    public FlinkRest(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    /** A job as /jobs/overview lists it. */
    public record Job(String id, String name, String state) {}

    /** A registered TaskManager: its resource id and slots. */
    public record TaskManager(String id, int slots, int freeSlots) {}

    /** GET of a REST path such as "/overview"; a status other than 200 is an error naming the path and the body. */
    public JsonNode get(String path) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build();
        try {
            HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() != 200) {
                throw new IOException("GET " + baseUrl + path + " answered " + resp.statusCode() + ": " + resp.body());
            }
            return json.readTree(resp.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted during GET " + path, e));
        }
    }

    public List<TaskManager> taskManagers() {
        List<TaskManager> out = new ArrayList<>();
        for (JsonNode tm : get("/taskmanagers").path("taskmanagers")) {
            out.add(new TaskManager(
                    tm.path("id").asText(),
                    tm.path("slotsNumber").asInt(),
                    tm.path("freeSlots").asInt()));
        }
        return out;
    }

    public List<Job> jobs() {
        List<Job> out = new ArrayList<>();
        for (JsonNode j : get("/jobs/overview").path("jobs")) {
            out.add(new Job(
                    j.path("jid").asText(),
                    j.path("name").asText(),
                    j.path("state").asText()));
        }
        return out;
    }

    /** The job's status: CREATED, RUNNING, FAILING, FAILED, CANCELLING, CANCELED, FINISHED, RESTARTING, ... */
    public String jobState(String jobId) {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /** For each operator chain (vertex name), the TaskManagers its subtasks ran on (latest attempts). */
    public Map<String, Set<String>> taskManagersByVertex(String jobId) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (JsonNode v : get("/jobs/" + jobId).path("vertices")) {
            Set<String> tms = new TreeSet<>();
            for (JsonNode s :
                    get("/jobs/" + jobId + "/vertices/" + v.path("id").asText()).path("subtasks")) {
                tms.add(s.path("taskmanager-id").asText());
            }
            out.put(v.path("name").asText(), tms);
        }
        return out;
    }

    /** The JobManager's exception history of the job, newest first: task, TaskManager and stack trace of each. */
    public String exceptionHistory(String jobId) {
        JsonNode entries = get("/jobs/" + jobId + "/exceptions?maxExceptions=10")
                .path("exceptionHistory")
                .path("entries");
        if (entries.isEmpty()) {
            return "(no exceptions recorded)";
        }
        StringBuilder s = new StringBuilder();
        for (JsonNode e : entries) {
            s.append(e.path("taskName").asText("(job)"))
                    .append(" on ")
                    .append(e.path("taskManagerId").asText("-"))
                    .append(":\n")
                    .append(e.path("stacktrace").asText(e.path("exceptionName").asText()))
                    .append('\n');
        }
        return s.toString();
    }

    /** One line per failure of the job the JobManager remembers (at most 10), newest first: task and root cause. */
    public List<String> failures(String jobId) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : get("/jobs/" + jobId + "/exceptions?maxExceptions=10")
                .path("exceptionHistory")
                .path("entries")) {
            String trace = e.path("stacktrace").asText(e.path("exceptionName").asText());
            // the root cause says what went wrong; the first line is often only "recovery is suppressed" or a wrapper
            String root = trace.lines()
                    .filter(l -> l.startsWith("Caused by: "))
                    .reduce((a, b) -> b)
                    .map(l -> l.substring("Caused by: ".length()))
                    .orElse(trace.lines().findFirst().orElse(""));
            out.add(e.path("taskName").asText("(job)") + ": " + root);
        }
        return out;
    }

    public long completedCheckpoints(String jobId) {
        return get("/jobs/" + jobId + "/checkpoints")
                .path("counts")
                .path("completed")
                .asLong();
    }

    /** Where the latest completed checkpoint was written (its external path), if any. */
    public Optional<String> latestCheckpointPath(String jobId) {
        JsonNode c = get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed");
        return c.isMissingNode() || c.isNull()
                ? Optional.empty()
                : Optional.of(c.path("external_path").asText());
    }

    /**
     * Waits until the job is RUNNING with every task running (or finished, for bounded sources). A job that ends
     * first, or is still not running at the timeout, fails with its state and exception history.
     */
    public void awaitRunning(String jobId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String state = "(unknown)";
        while (System.nanoTime() < deadline) {
            JsonNode job = get("/jobs/" + jobId);
            state = job.path("state").asText();
            if (TERMINAL.contains(state)) {
                throw new IllegalStateException("job " + jobId + " is " + state
                        + " instead of RUNNING; exception history:\n" + exceptionHistory(jobId));
            }
            if (state.equals("RUNNING") && allTasksRunning(job)) {
                return;
            }
            sleep();
        }
        throw new IllegalStateException("job " + jobId + " not running after " + timeout.toSeconds() + " s (state "
                + state + "); exception history:\n" + exceptionHistory(jobId));
    }

    /** Waits until the job is FINISHED, FAILED or CANCELED and returns that state. */
    public String awaitTerminal(String jobId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String state = jobState(jobId);
            if (TERMINAL.contains(state)) {
                return state;
            }
            sleep();
        }
        throw new IllegalStateException("job " + jobId + " still " + jobState(jobId) + " after " + timeout.toSeconds()
                + " s; exception history:\n" + exceptionHistory(jobId));
    }

    private static boolean allTasksRunning(JsonNode job) {
        JsonNode vertices = job.path("vertices");
        if (vertices.isEmpty()) {
            return false;
        }
        for (JsonNode v : vertices) {
            JsonNode tasks = v.path("tasks");
            if (tasks.path("RUNNING").asInt() + tasks.path("FINISHED").asInt()
                    != v.path("parallelism").asInt()) {
                return false;
            }
        }
        return true;
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a Flink job", e);
        }
    }
}
