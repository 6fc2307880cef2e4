package io.redpacket.campaign;

import java.util.ArrayList;
import java.util.List;

/** Which edge serves which shard: round-robin primaries, the next edge as backup (the disaster-recovery replica). */
final class ShardPlan {
    private ShardPlan() {}

    static String table(int shards, int edges) {
        List<String> entries = new ArrayList<>();
        for (int shard = 0; shard < shards; shard++) {
            int primary = primary(shard, edges);
            int backup = primary % edges + 1;
            entries.add(shard + ":" + primary + (edges > 1 ? "/" + backup : ""));
        }
        return String.join(",", entries);
    }

    /** The edge (1-based) that serves {@code shard} while every edge is up. */
    static int primary(int shard, int edges) {
        return shard % edges + 1;
    }
}
