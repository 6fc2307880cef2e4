package io.redpacket.simulation.scenario;

import io.redpacket.simulation.crowd.Crowd.Behaviour;
import java.util.List;

/**
 * One account of the crowd as planned from a scenario: who it is (ground truth), when it plays from which device and
 * address, and how it paces itself.
 *
 * @param groupId            the household, NAT, tablet, farm, relay chain, burst, proxy pool, mule group or replay pair
 *                           it belongs to; empty if none
 * @param registrationUnit   accounts of one unit register back to back, in this order (a farm, a burst, a chain)
 * @param stints             in time order, not overlapping; the first starts at the account's arrival
 * @param accomplice         REPLAY: the account it presents its tokens under (same device), else null
 */
public record PlannedUser(
        String id,
        Behaviour behaviour,
        String population,
        String groupId,
        String registrationUnit,
        List<Stint> stints,
        Pacing pacing,
        PlannedAccomplice accomplice) {

    /** A second account a fraudster registers and uses, written to the ground truth as its own row. */
    public record PlannedAccomplice(String id) {}

    public boolean fraud() {
        return behaviour.fraud();
    }

    public long arrivalMs() {
        return stints.get(0).fromMs();
    }

    public Stint first() {
        return stints.get(0);
    }
}
