package io.redpacket.campaign;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Which edge serves which shard: round-robin primaries, the next edge as backup (the disaster-recovery replica). */
final class ShardPlan {
    private ShardPlan() {}

    static String table(int shards, int edges) {
        List<String> entries = new ArrayList<>();
        for (int shard = 0; shard < shards; shard++) {
            entries.add(shard + ":" + primary(shard, edges) + (edges > 1 ? "/" + backup(shard, edges) : ""));
        }
        return String.join(",", entries);
    }

    /** The edge (1-based) that serves {@code shard} while every edge is up. */
    static int primary(int shard, int edges) {
        return shard % edges + 1;
    }

    /** The edge that takes {@code shard} over when its primary is declared dead (the primary itself with one edge). */
    static int backup(int shard, int edges) {
        return primary(shard, edges) % edges + 1;
    }

    /** The shards each edge holds files of, as primary or backup. */
    static Map<Integer, Set<Integer>> servedShards(int shards, int edges) {
        Map<Integer, Set<Integer>> served = new HashMap<>();
        for (int shard = 0; shard < shards; shard++) {
            served.computeIfAbsent(primary(shard, edges), e -> new HashSet<>()).add(shard);
            served.computeIfAbsent(backup(shard, edges), e -> new HashSet<>()).add(shard);
        }
        return served;
    }
}
