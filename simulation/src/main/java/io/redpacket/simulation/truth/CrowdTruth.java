package io.redpacket.simulation.truth;

import io.redpacket.avro.CrowdAccount;
import io.redpacket.io.AvroFiles;
import io.redpacket.simulation.crowd.Crowd;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The crowd's ground truth (users.avro, actions.csv): who won which envelope, who is a fraudster, what was replayed.
 * {@code users} and {@code fraudsters} count accounts (CrowdAccount records, a replayer's accomplice included).
 */
public record CrowdTruth(int users, int fraudsters, Map<Long, String> winners, List<Long> replayedEnvelopes) {

    /** The crowd's accounts (the crowd writes them: Crowd.USERS_FILE). */
    public static final String USERS_FILE = Crowd.USERS_FILE;
    /** Every action of every user, in order (the crowd writes it: Crowd.ACTIONS_FILE). */
    public static final String ACTIONS_FILE = Crowd.ACTIONS_FILE;

    public String winnerOf(long envelopeId) {
        return winners.getOrDefault(envelopeId, "");
    }

    public static CrowdTruth read(Path dir) throws IOException {
        int users = 0;
        int fraudsters = 0;
        Map<String, Boolean> replayers = new HashMap<>();
        for (CrowdAccount a : AvroFiles.readAll(dir.resolve(USERS_FILE), CrowdAccount.class)) {
            users++;
            if (a.getFraud()) {
                fraudsters++;
            }
            if (a.getBehaviour().equals("REPLAY")) {
                replayers.put(a.getUserId(), true);
            }
        }
        Map<Long, String> winners = new HashMap<>();
        List<Long> replayed = new java.util.ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(dir.resolve(ACTIONS_FILE))) {
            List<String> cols = List.of(r.readLine().split(","));
            int user = cols.indexOf("userId");
            int action = cols.indexOf("action");
            int result = cols.indexOf("result");
            int envelope = cols.indexOf("envelopeId");
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.split(",", -1);
                if (f.length > envelope
                        && f[action].equals("open")
                        && f[result].equals("opened")
                        && !f[envelope].isEmpty()) {
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
