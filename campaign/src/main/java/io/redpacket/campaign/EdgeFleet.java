package io.redpacket.campaign;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The campaign's edges: one {@code bin/redpacket edge} process each, all on the same shard table, and their clients
 * (health, control offset). Drills kill an edge and start it again; an edge started again applies every switch of
 * the control topic before it answers.
 */
final class EdgeFleet {
    private final CampaignSettings s;
    private final CampaignSecrets secrets;
    private final CampaignStages stages;
    private final String bootstrapServers;
    private final Children children;
    private final String table;
    private final List<EdgeClient> clients = new ArrayList<>();
    private final Map<Integer, ChildProcess> processes = new TreeMap<>();

    EdgeFleet(
            CampaignSettings s,
            CampaignSecrets secrets,
            CampaignStages stages,
            String bootstrapServers,
            Children children) {
        this.s = s;
        this.secrets = secrets;
        this.stages = stages;
        this.bootstrapServers = bootstrapServers;
        this.children = children;
        this.table = ShardPlan.table(s.shards(), s.edges());
    }

    /** The shard table every edge gets ({@code shard:primary/backup,...}). */
    String table() {
        return table;
    }

    List<EdgeClient> clients() {
        return clients;
    }

    /** Starts every edge and waits until each answers its health check. */
    void startAll() throws IOException, InterruptedException {
        for (int e = 1; e <= s.edges(); e++) {
            start(e);
            clients.add(new EdgeClient(e, s.edgePort(e), s.adminPort(e), secrets.adminToken()));
        }
        for (EdgeClient edge : clients) {
            awaitHealthy(edge, 300);
        }
    }

    boolean isAlive(int edgeId) {
        return processes.get(edgeId).isAlive();
    }

    void kill(int edgeId) {
        processes.get(edgeId).kill();
    }

    /** Starts an edge that was down again and waits until it answers; returns its client. */
    EdgeClient restart(int edgeId) throws IOException, InterruptedException {
        start(edgeId);
        EdgeClient edge =
                clients.stream().filter(e -> e.edgeId == edgeId).findFirst().orElseThrow();
        awaitHealthy(edge, 300);
        return edge;
    }

    void stopAll() {
        processes.values().forEach(ChildProcess::stop);
    }

    private void start(int e) throws IOException {
        processes.put(
                e,
                children.redpacket(
                        "edge-" + e,
                        "edge-" + e + ".log",
                        "edge",
                        "--campaign",
                        stages.edgeCampaign(e).toString(),
                        "--edge-id",
                        String.valueOf(e),
                        "--shard-table",
                        table,
                        "--host",
                        "127.0.0.1",
                        "--port",
                        String.valueOf(s.edgePort(e)),
                        "--admin-port",
                        String.valueOf(s.adminPort(e)),
                        "--admin-token-file",
                        secrets.adminTokenFile().toString(),
                        "--kafka",
                        bootstrapServers,
                        "--state-dir",
                        s.workDir().resolve("edges/edge-" + e).toString(),
                        "--password-file",
                        secrets.passwordFile().toString(),
                        "--rate",
                        String.valueOf(s.dispensePerSecond()),
                        "--reservation-block",
                        "1000",
                        "--io-threads",
                        "1",
                        "--session-ring",
                        secrets.sessionRing().toString(),
                        "--trusted-proxies",
                        "127.0.0.1"));
    }

    private void awaitHealthy(EdgeClient edge, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!edge.healthy()) {
            ChildProcess p = processes.get(edge.edgeId);
            if (!p.isAlive()) {
                throw new IOException(
                        "edge " + edge.edgeId + " exited during start-up; " + p.log() + ":\n" + p.tail(40));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("edge " + edge.edgeId + " not healthy after " + seconds + " s; see " + p.log());
            }
            Thread.sleep(300);
        }
    }
}
