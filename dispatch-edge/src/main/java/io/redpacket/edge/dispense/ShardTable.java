package io.redpacket.edge.dispense;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which edge dispenses which shard's files, slot by slot. Each shard has a primary edge and an ordered list of
 * backups. The owner of (shard, slot) is the first edge in [primary, backups...] that is not dead for that
 * slot; an edge declared dead "from slot k" is dead for slots k, k+1, ... So a declaration during slot k-1
 * moves the shard's next slots to the first live backup while slot k-1's file (the current one, possibly half
 * dispensed) is abandoned: file-level, not record-level, failover, and no two edges ever share a file.
 * Every edge must receive the same declarations (the operator sends them to all, or via the control topic)
 * with an explicit from-slot so they agree even near a slot boundary.
 *
 * <p>Spec: {@code shard:primary[/backup...]} separated by commas, e.g. {@code 0:1/2,1:1/2,2:2/1,3:2/1}.
 */
public final class ShardTable {
    private final Map<Integer, int[]> owners;
    private final Map<Integer, Integer> deadFromSlot = new ConcurrentHashMap<>();
    private final AtomicInteger version = new AtomicInteger();

    private ShardTable(Map<Integer, int[]> owners) {
        this.owners = owners;
    }

    public static ShardTable parse(String spec) {
        Map<Integer, int[]> owners = new TreeMap<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            String[] sides = p.split(":");
            try {
                if (sides.length != 2) {
                    throw new NumberFormatException();
                }
                int shard = Integer.parseInt(sides[0].trim());
                String[] edges = sides[1].split("/");
                int[] chain = new int[edges.length];
                for (int i = 0; i < edges.length; i++) {
                    chain[i] = Integer.parseInt(edges[i].trim());
                }
                if (shard < 0 || owners.put(shard, chain) != null) {
                    throw new IllegalArgumentException("shard table: shard " + shard + " is negative or listed twice");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("shard table: '" + p + "' is not shard:primary[/backup...]");
            }
        }
        return new ShardTable(owners);
    }

    /** The table when an edge is given only its own shards: it is their primary and they have no backup. */
    public static ShardTable primaryOnly(int edgeId, List<Integer> shards) {
        Map<Integer, int[]> owners = new TreeMap<>();
        for (int s : shards) {
            owners.put(s, new int[] {edgeId});
        }
        return new ShardTable(owners);
    }

    /** The edge that dispenses {@code shard}'s file of slot {@code slotIndex}, or -1 if every candidate is dead. */
    public int owner(int shard, int slotIndex) {
        int[] chain = owners.get(shard);
        if (chain == null) {
            return -1;
        }
        for (int edge : chain) {
            Integer from = deadFromSlot.get(edge);
            if (from == null || slotIndex < from) {
                return edge;
            }
        }
        return -1;
    }

    /** Shards {@code edgeId} dispenses in slot {@code slotIndex}. */
    public List<Integer> shardsOf(int edgeId, int slotIndex) {
        List<Integer> out = new ArrayList<>();
        for (int shard : owners.keySet()) {
            if (owner(shard, slotIndex) == edgeId) {
                out.add(shard);
            }
        }
        return out;
    }

    /** Every shard {@code edgeId} appears for, as primary or backup: the files it must be able to read. */
    public List<Integer> candidateShards(int edgeId) {
        List<Integer> out = new ArrayList<>();
        owners.forEach((shard, chain) -> {
            for (int e : chain) {
                if (e == edgeId) {
                    out.add(shard);
                    break;
                }
            }
        });
        return out;
    }

    /** Marks an edge dead from a slot on; an earlier declaration for the same edge wins (never resurrects a slot). */
    public void declareDead(int edgeId, int fromSlotIndex) {
        deadFromSlot.merge(edgeId, fromSlotIndex, Math::min);
        version.incrementAndGet();
    }

    public Map<Integer, Integer> deadEdges() {
        return Map.copyOf(deadFromSlot);
    }

    /** Changes whenever ownership may have changed, so cached per-slot choices are rebuilt. */
    public int version() {
        return version.get();
    }

    public String describe() {
        StringBuilder sb = new StringBuilder();
        owners.forEach((shard, chain) -> {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(shard).append(':');
            for (int i = 0; i < chain.length; i++) {
                sb.append(i == 0 ? "" : "/").append(chain[i]);
            }
        });
        return sb.toString();
    }
}
