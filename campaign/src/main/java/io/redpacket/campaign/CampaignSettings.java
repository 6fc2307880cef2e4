package io.redpacket.campaign;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything a campaign run is told, parsed once from the command line. Build with {@link #builder}: its defaults are
 * {@code bin/redpacket campaign}'s (a test keeps the two equal).
 */
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

    /** The budget a run uses without {@code --budget}: the demo sample of the checkout at {@code home}. */
    public static Path demoBudget(Path home) {
        return home.resolve("generation-batch/samples/demo-budget.csv");
    }

    /** The funding script a run uses without {@code --script}: the demo sample of the checkout at {@code home}. */
    public static Path demoScript(Path home) {
        return home.resolve("generation-batch/samples/demo-script.yaml");
    }

    /**
     * The command's defaults for a run of the checkout at {@code home} in {@code workDir}; both are required because
     * the command computes them (home from {@code redpacket.home}, the run directory from the clock).
     */
    public static Builder builder(Path home, Path workDir) {
        return new Builder(home, workDir);
    }

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

    /** Starts from the command's defaults; no checks: the command checks its options before it builds. */
    public static final class Builder {
        private final Path home;
        private final Path workDir;
        private Path budget;
        private Path script;
        private String variant = "main";
        private int shards = 4;
        private int edges = 2;
        private int users = 8000;
        private Double fraudShare; // null: the scenario's own shares
        private int slotSeconds = 60;
        private long seed = 2027;
        private long dispensePerSecond = 2000;
        private int kafkaPort = 19092;
        private int kafkaControllerPort = 19093;
        private int edgeBasePort = 18081;
        private int adminBasePort = 19081;
        private int prometheusPort = 19250;
        private int flinkUiPort = 18090;
        private boolean faultDrill;
        private long couponLimitPerSecond = 200;
        private int dashboardPort; // 0: no dashboard
        private int identityPort = 17070;
        private boolean sessionAttacks;
        private boolean restartDrill;
        private boolean cluster;
        private String scenario; // null: the crowd's default scenario
        private boolean holdFlagged;

        private Builder(Path home, Path workDir) {
            this.home = home;
            this.workDir = workDir;
            this.budget = demoBudget(home);
            this.script = demoScript(home);
        }

        public Builder budget(Path budget) {
            this.budget = budget;
            return this;
        }

        public Builder script(Path script) {
            this.script = script;
            return this;
        }

        public Builder variant(String variant) {
            this.variant = variant;
            return this;
        }

        public Builder shards(int shards) {
            this.shards = shards;
            return this;
        }

        public Builder edges(int edges) {
            this.edges = edges;
            return this;
        }

        public Builder users(int users) {
            this.users = users;
            return this;
        }

        public Builder fraudShare(Double fraudShare) {
            this.fraudShare = fraudShare;
            return this;
        }

        public Builder slotSeconds(int slotSeconds) {
            this.slotSeconds = slotSeconds;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder dispensePerSecond(long dispensePerSecond) {
            this.dispensePerSecond = dispensePerSecond;
            return this;
        }

        public Builder kafkaPort(int kafkaPort) {
            this.kafkaPort = kafkaPort;
            return this;
        }

        public Builder kafkaControllerPort(int kafkaControllerPort) {
            this.kafkaControllerPort = kafkaControllerPort;
            return this;
        }

        public Builder edgeBasePort(int edgeBasePort) {
            this.edgeBasePort = edgeBasePort;
            return this;
        }

        public Builder adminBasePort(int adminBasePort) {
            this.adminBasePort = adminBasePort;
            return this;
        }

        public Builder prometheusPort(int prometheusPort) {
            this.prometheusPort = prometheusPort;
            return this;
        }

        public Builder flinkUiPort(int flinkUiPort) {
            this.flinkUiPort = flinkUiPort;
            return this;
        }

        public Builder faultDrill(boolean faultDrill) {
            this.faultDrill = faultDrill;
            return this;
        }

        public Builder couponLimitPerSecond(long couponLimitPerSecond) {
            this.couponLimitPerSecond = couponLimitPerSecond;
            return this;
        }

        public Builder dashboardPort(int dashboardPort) {
            this.dashboardPort = dashboardPort;
            return this;
        }

        public Builder identityPort(int identityPort) {
            this.identityPort = identityPort;
            return this;
        }

        public Builder sessionAttacks(boolean sessionAttacks) {
            this.sessionAttacks = sessionAttacks;
            return this;
        }

        public Builder restartDrill(boolean restartDrill) {
            this.restartDrill = restartDrill;
            return this;
        }

        public Builder cluster(boolean cluster) {
            this.cluster = cluster;
            return this;
        }

        public Builder scenario(String scenario) {
            this.scenario = scenario;
            return this;
        }

        public Builder holdFlagged(boolean holdFlagged) {
            this.holdFlagged = holdFlagged;
            return this;
        }

        public CampaignSettings build() {
            return new CampaignSettings(
                    home,
                    workDir,
                    budget,
                    script,
                    variant,
                    shards,
                    edges,
                    users,
                    fraudShare,
                    slotSeconds,
                    seed,
                    dispensePerSecond,
                    kafkaPort,
                    kafkaControllerPort,
                    edgeBasePort,
                    adminBasePort,
                    prometheusPort,
                    flinkUiPort,
                    faultDrill,
                    couponLimitPerSecond,
                    dashboardPort,
                    identityPort,
                    sessionAttacks,
                    restartDrill,
                    cluster,
                    scenario,
                    holdFlagged);
        }
    }
}
