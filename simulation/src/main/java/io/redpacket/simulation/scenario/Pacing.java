package io.redpacket.simulation.scenario;

/** How an account times its requests. */
public enum Pacing {
    /**
     * A person: waits the interval the edge asks for plus 0..50 %, opens a win after a varying delay, arrives at a
     * time of its own.
     */
    HUMAN,
    /**
     * An operator's script: the group arrives together, shakes exactly when allowed on whole seconds of the script's
     * clock (so a group's requests line up), opens a win after a fixed short delay.
     */
    SCRIPT
}
