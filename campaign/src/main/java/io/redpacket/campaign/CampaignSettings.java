package io.redpacket.campaign;

import java.nio.file.Path;
import java.util.List;

/** Everything a campaign run is told, parsed once from the command line. */
public record CampaignSettings(
        Path home,
        Path workDir,
        Path budget,
        Path script,
        String variant,
        int shards,
        int edges,
        int users,
        Double fraudShare,
        int slotSeconds,
        long seed,
        long dispensePerSecond,
        int kafkaPort,
        int kafkaControllerPort,
        int edgeBasePort,
        int adminBasePort,
        int prometheusPort,
        int flinkUiPort,
        boolean faultDrill,
        long couponLimitPerSecond,
        int dashboardPort,
        int identityPort,
        boolean sessionAttacks,
        boolean restartDrill,
        boolean cluster,
        String scenario,
        boolean holdFlagged) {

    /** True when the live dashboard runs alongside ({@code --dashboard-port}). */
    public boolean dashboard() {
        return dashboardPort > 0;
    }

    public int edgePort(int edgeId) {
        return edgeBasePort + edgeId - 1;
    }

    public int adminPort(int edgeId) {
        return adminBasePort + edgeId - 1;
    }

    /** Every port this run will bind, with what it is for (checked before anything starts). */
    public List<PortUse> ports() {
        List<PortUse> ports = new java.util.ArrayList<>();
        ports.add(new PortUse(kafkaPort, "Kafka broker (--kafka-port)"));
        ports.add(new PortUse(kafkaControllerPort, "Kafka controller (--kafka-controller-port)"));
        for (int e = 1; e <= edges; e++) {
            ports.add(new PortUse(edgePort(e), "edge " + e + " (--edge-port + " + (e - 1) + ")"));
            ports.add(new PortUse(adminPort(e), "edge " + e + " admin (--admin-port + " + (e - 1) + ")"));
        }
        if (!cluster) {
            // On a session cluster metric reporters are the cluster's configuration, not the job's.
            ports.add(new PortUse(prometheusPort, "settlement Prometheus metrics (--prometheus-port)"));
        }
        ports.add(new PortUse(identityPort, "identity service (--identity-port)"));
        ports.add(new PortUse(
                flinkUiPort,
                cluster
                        ? "Flink session cluster's REST API and web UI (--flink-ui-port)"
                        : "Flink web UI (--flink-ui-port)"));
        if (dashboard()) {
            ports.add(new PortUse(dashboardPort, "live dashboard (--dashboard-port)"));
        }
        return ports;
    }

    public record PortUse(int port, String what) {}
}
