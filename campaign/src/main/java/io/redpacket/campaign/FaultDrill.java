package io.redpacket.campaign;

/**
 * The faults a campaign must survive, injected while the crowd is shaking: settlement killed and restored from
 * its checkpoint, the broker restarted, an edge killed mid-slot with its next-slot files moved to its backup.
 */
final class FaultDrill {
    private final CampaignClock clock;
    private boolean settlementDone;
    private boolean brokerDone;
    private boolean edgeDone;

    FaultDrill(CampaignClock clock) {
        this.clock = clock;
    }

    private String failoverSlot;

    /**
     * The edge first, in the middle of a slot that has a next one (15% in: with two slots, early in the first),
     * then settlement (25% in; its restore blocks until the restored job answers), then the broker (45% in),
     * so every fault lands while opens are flowing.
     */
    void step(long nowMs, CampaignRunner runner) throws Exception {
        double done = clock.fraction(nowMs);
        if (!edgeDone && done > 0.15) {
            String next = clock.nextSlot(nowMs);
            edgeDone = true;
            if (next != null) {
                failoverSlot = next;
                runner.killEdgeAndFailOver(2, next);
            }
        } else if (!settlementDone && done > 0.25) {
            settlementDone = true;
            runner.killAndRestoreSettlement();
        } else if (!brokerDone && done > 0.45) {
            brokerDone = true;
            runner.restartBroker();
        }
    }

    /** The slot from which the killed edge's shards moved to their backups, or null if no edge was killed. */
    String failoverSlot() {
        return failoverSlot;
    }

    boolean allDone() {
        return settlementDone && brokerDone && edgeDone;
    }
}
