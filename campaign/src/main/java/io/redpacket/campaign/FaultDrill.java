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

    void step(long nowMs, CampaignRunner runner) throws Exception {
        double done = clock.fraction(nowMs);
        if (!settlementDone && done > 0.2) {
            settlementDone = true;
            runner.killAndRestoreSettlement();
        } else if (!brokerDone && done > 0.4) {
            brokerDone = true;
            runner.restartBroker();
        } else if (!edgeDone && done > 0.6) {
            String next = clock.nextSlot(nowMs);
            if (next != null) {
                edgeDone = true;
                runner.killEdgeAndFailOver(2, next);
            }
        }
    }

    boolean allDone() {
        return settlementDone && brokerDone && edgeDone;
    }
}
