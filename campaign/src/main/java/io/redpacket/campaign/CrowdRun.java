package io.redpacket.campaign;

import io.redpacket.io.AtomicFiles;
import io.redpacket.simulation.gateway.EdgeGateway;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The crowd simulator (simulation/, {@code bin/redpacket crowd}), run as its own process against this campaign's edges,
 * through an {@link EdgeGateway} whose access log ({@code gateway/access-log.avro}) is what fraud analysis reads of the
 * requests the edges reject locally. The gateway closes, publishing its log, when the crowd process ends.
 *
 * <p>Started before the campaign sets its countdown: the crowd registers every account with the identity service
 * (about half a minute for 8,000 on a loaded 2-core machine), says so in {@code crowd/.registered}, and holds its
 * users back until {@link #release()} writes {@code crowd/.start}. Registering inside the slots instead shifted every
 * arrival that much later: the first slot ran half empty and the last arrivals found no slot at all.
 */
final class CrowdRun {
    static final String REGISTERED = ".registered";
    static final String START = ".start";

    private final ChildProcess process;
    private final Path truthDir;
    private final EdgeGateway gateway;

    /** @param durationS how long users act once released (the campaign's length plus its countdown and a margin) */
    CrowdRun(
            CampaignSettings s,
            List<EdgeClient> edges,
            String identityUrl,
            Path truthDir,
            Path log,
            Map<String, String> env,
            long durationS) {
        this.truthDir = truthDir;
        Map<Integer, String> upstream = new LinkedHashMap<>();
        edges.forEach(e -> upstream.put(e.edgeId, e.publicUrl()));
        try {
            this.gateway = EdgeGateway.start(upstream, truthDir.resolveSibling("gateway"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the edge gateway", e);
        }
        List<String> args = new ArrayList<>(List.of("crowd"));
        for (EdgeClient e : edges) {
            args.add("--edge");
            args.add(e.edgeId + "=" + gateway.url(e.edgeId));
        }
        args.addAll(List.of("--identity", identityUrl));
        if (s.sessionAttacks()) {
            args.add("--session-attacks");
        }
        if (s.scenario() != null) {
            args.addAll(List.of("--scenario", s.scenario()));
        }
        if (s.fraudShare() != null) {
            args.addAll(List.of("--fraud-share", String.valueOf(s.fraudShare())));
        }
        args.addAll(List.of(
                "--users",
                String.valueOf(s.users()),
                "--duration-s",
                String.valueOf(durationS),
                "--arrival-s",
                String.valueOf(arrivalS(durationS)),
                "--seed",
                String.valueOf(s.seed()),
                "--open-delay-ms",
                "1500",
                "--out",
                truthDir.toString(),
                "--registered-file",
                truthDir.resolve(REGISTERED).toString(),
                "--start-file",
                truthDir.resolve(START).toString()));
        this.process = ChildProcess.redpacket(s.home(), "crowd", log, env, args.toArray(String[]::new));
        Thread closer = new Thread(this::closeGatewayWhenCrowdEnds, "edge-gateway-closer");
        closer.setDaemon(true);
        closer.start();
    }

    /** Waits for the crowd process to start and end, then publishes the access log. */
    private void closeGatewayWhenCrowdEnds() {
        try {
            boolean seen = false;
            while (true) {
                boolean alive = process.isAlive();
                if (seen && !alive) {
                    break;
                }
                seen |= alive;
                Thread.sleep(200);
            }
            gateway.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish the gateway's access log", e);
        }
    }

    /**
     * Users arrive over the first 60 % of the show, so that the last to come still have 50 s to play: on a loaded
     * machine a user's turns come seconds apart (a stall of 10 s was seen here at load average 50), and with
     * arrivals up to 70 % in, late users were cut off after one shake and one open, before anything they came for.
     */
    static long arrivalS(long durationS) {
        return Math.max(1, durationS * 6 / 10);
    }

    /**
     * Waits until the crowd has registered every account; returns how many. Fails if the crowd exits first or takes
     * longer than {@code timeoutS}.
     */
    long awaitRegistered(long timeoutS) throws IOException, InterruptedException {
        Path registered = truthDir.resolve(REGISTERED);
        long deadline = System.nanoTime() + timeoutS * 1_000_000_000L;
        while (!Files.exists(registered)) {
            if (!process.isAlive()) {
                throw new IOException(
                        "the crowd exited while registering accounts; " + process.log() + ":\n" + process.tail(30));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(
                        "the crowd has not registered its accounts after " + timeoutS + " s; see " + process.log());
            }
            Thread.sleep(50);
        }
        return Long.parseLong(Files.readString(registered).trim());
    }

    /** Lets the registered users arrive: the crowd's clock starts now. */
    void release() throws IOException {
        AtomicFiles.write(truthDir.resolve(START), tmp -> Files.writeString(tmp, System.currentTimeMillis() + "\n"));
    }

    ChildProcess process() {
        return process;
    }

    EdgeGateway gateway() {
        return gateway;
    }

    /** users.avro, actions.csv and summary.json: who the fraudsters are and what everyone did. */
    Path truth() {
        try {
            // The crowd has ended when its truth is read: the access log is complete.
            gateway.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish the gateway's access log", e);
        }
        return truthDir;
    }
}
