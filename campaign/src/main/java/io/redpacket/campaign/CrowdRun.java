package io.redpacket.campaign;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The crowd simulator of dispatch-edge, run as its own process against this campaign's edges. */
final class CrowdRun {
    private final ChildProcess process;
    private final Path truthDir;

    CrowdRun(CampaignSettings s, List<EdgeClient> edges, Path truthDir, Path log, Map<String, String> env, long durationS) {
        this.truthDir = truthDir;
        List<String> args = new ArrayList<>(List.of("crowd"));
        for (EdgeClient e : edges) {
            args.add("--edge");
            args.add(e.edgeId + "=" + e.publicUrl());
        }
        args.addAll(List.of("--users", String.valueOf(s.users()), "--fraud-share", String.valueOf(s.fraudShare()),
                "--duration-s", String.valueOf(durationS), "--arrival-s", String.valueOf(Math.max(1, durationS * 7 / 10)), "--seed", String.valueOf(s.seed()), "--open-delay-ms", "1500",
                "--out", truthDir.toString()));
        this.process = ChildProcess.redpacket(s.home(), "crowd", log, env, args.toArray(String[]::new));
    }

    ChildProcess process() {
        return process;
    }

    /** users.csv, actions.csv and summary.json: who the fraudsters are and what everyone did. */
    Path truth() {
        return truthDir;
    }
}
