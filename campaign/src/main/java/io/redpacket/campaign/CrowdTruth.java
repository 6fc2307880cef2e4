package io.redpacket.campaign;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The crowd's ground truth (users.csv, actions.csv): who won which envelope, who is a fraudster, what was replayed.
 * {@code users} and {@code fraudsters} count accounts (rows of users.csv, a replayer's accomplice included).
 */
record CrowdTruth(int users, int fraudsters, Map<Long, String> winners, List<Long> replayedEnvelopes) {

    String winnerOf(long envelopeId) {
        return winners.getOrDefault(envelopeId, "");
    }

    static CrowdTruth read(Path dir) throws IOException {
        int users = 0;
        int fraudsters = 0;
        Map<String, Boolean> replayers = new HashMap<>();
        try (BufferedReader r = Files.newBufferedReader(dir.resolve("users.csv"))) {
            String header = r.readLine();
            List<String> cols = List.of(header.split(","));
            int idCol = cols.indexOf("userId");
            int fraudCol = cols.indexOf("fraud");
            int behaviourCol = cols.indexOf("behaviour");
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.split(",", -1);
                users++;
                if (Boolean.parseBoolean(f[fraudCol])) {
                    fraudsters++;
                }
                if (f[behaviourCol].equals("REPLAY")) {
                    replayers.put(f[idCol], true);
                }
            }
        }
        Map<Long, String> winners = new HashMap<>();
        List<Long> replayed = new java.util.ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(dir.resolve("actions.csv"))) {
            List<String> cols = List.of(r.readLine().split(","));
            int user = cols.indexOf("userId");
            int action = cols.indexOf("action");
            int result = cols.indexOf("result");
            int envelope = cols.indexOf("envelopeId");
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.split(",", -1);
                if (f.length > envelope && f[action].equals("open") && f[result].equals("opened") && !f[envelope].isEmpty()) {
                    long id = Long.parseLong(f[envelope]);
                    winners.put(id, f[user]);
                    if (replayers.containsKey(f[user])) {
                        replayed.add(id);
                    }
                }
            }
        }
        return new CrowdTruth(users, fraudsters, winners, replayed);
    }
}
