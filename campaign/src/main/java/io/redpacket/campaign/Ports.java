package io.redpacket.campaign;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Checks every port of a run before anything starts, so a taken port is a clear message, not a half-started campaign. */
final class Ports {
    private Ports() {}

    static List<String> problems(List<CampaignSettings.PortUse> uses) {
        List<String> problems = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (CampaignSettings.PortUse use : uses) {
            if (use.port() < 1024 || use.port() > 65535) {
                problems.add("port " + use.port() + " for " + use.what() + ": must be within 1024..65535");
            } else if (!seen.add(use.port())) {
                problems.add("port " + use.port() + " for " + use.what()
                        + ": used twice by this run; choose distinct ports");
            } else if (!free(use.port())) {
                problems.add("port " + use.port() + " for " + use.what()
                        + ": already in use on 127.0.0.1; choose another with the option named");
            }
        }
        return problems;
    }

    static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
