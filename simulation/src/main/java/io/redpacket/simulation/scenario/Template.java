package io.redpacket.simulation.scenario;

import io.redpacket.simulation.crowd.Crowd.Behaviour;
import java.util.EnumSet;
import java.util.Set;

/**
 * The kinds of population a scenario can hold: how many accounts, devices and addresses a group has and how their use
 * is laid out over the show ({@link PopulationPlanner}), and what each account does ({@link #behaviour}). Honest
 * templates all shake and open like one person; fraud templates carry the behaviour the ground truth names.
 */
public enum Template {
    /** One account, one phone, one address. */
    SOLO(Behaviour.HONEST, Set.of()),
    /** A family: {@code groupSize} accounts on one home Wi-Fi address, each on its own phone. */
    HOUSEHOLD(Behaviour.HONEST, Set.of(Param.GROUP_SIZE)),
    /** A campus or carrier NAT: {@code groupSize} accounts behind {@code ipsPerGroup} addresses, own phones. */
    NAT(Behaviour.HONEST, Set.of(Param.GROUP_SIZE, Param.IPS_PER_GROUP)),
    /** Relatives sharing a tablet: {@code groupSize} accounts on one device and one address, each playing through the show. */
    SHARED_TABLET(Behaviour.HONEST, Set.of(Param.GROUP_SIZE)),
    /** One person with several phones: one account used from {@code devicesPerAccount} devices in turn, one address. */
    TWO_PHONES(Behaviour.HONEST, Set.of(Param.DEVICES_PER_ACCOUNT)),
    /** A traveller: one account and phone, {@code ipsPerAccount} addresses one after the other over the show. */
    TRAVELLER(Behaviour.HONEST, Set.of(Param.IPS_PER_ACCOUNT)),

    /** A device farm: {@code groupSize} accounts on one device and one address, all playing at once. */
    DEVICE_FARM(Behaviour.SHARED_DEVICE, Set.of(Param.GROUP_SIZE)),
    /** Opens each won token twice and presents it under an accomplice account (registered on the same phone). */
    REPLAY(Behaviour.REPLAY, Set.of()),
    /** Sends forged tokens between its shakes. */
    FORGE(Behaviour.FORGE, Set.of()),
    /** Spreads shakes over every edge without the state blob. */
    CAP_BYPASS(Behaviour.CAP_BYPASS, Set.of()),
    /** Shakes with honest users' sessions. Only with --session-attacks. */
    STOLEN_SESSION(Behaviour.STOLEN_SESSION, Set.of()),
    /** Keeps presenting an expired session. Only with --session-attacks. */
    EXPIRED_SESSION(Behaviour.EXPIRED_SESSION, Set.of()),
    /**
     * One phone handed from one account to the next: {@code groupSize} accounts on one device and address, each
     * playing in its own window of the show, {@code handOverGapMs} apart, never two at once.
     */
    DEVICE_RELAY(Behaviour.DEVICE_RELAY, Set.of(Param.GROUP_SIZE, Param.HAND_OVER_GAP_MS)),
    /**
     * Sequentially numbered accounts registered back to back, {@code accountsPerIp} per proxy address, each on its own
     * device and staying within the caps with human pacing.
     */
    REGISTRATION_BURST(Behaviour.REGISTRATION_BURST, Set.of(Param.GROUP_SIZE, Param.ACCOUNTS_PER_IP)),
    /**
     * Accounts cycling through a shared rotating proxy pool of {@code poolSize} addresses: each request of an account
     * leaves from the next of its {@code ipsPerAccount} exits.
     */
    PROXY_ROTATION(Behaviour.PROXY_ROTATION, Set.of(Param.GROUP_SIZE, Param.POOL_SIZE, Param.IPS_PER_ACCOUNT)),
    /**
     * Mules: {@code groupSize} accounts run by one operator's script from {@code ipsPerGroup} addresses, each account on
     * its own (emulated) device, all arriving together and shaking on the script's clock; one User-Agent for the group.
     */
    MULE(Behaviour.MULE, Set.of(Param.GROUP_SIZE, Param.IPS_PER_GROUP));

    /** Template parameters, as spelled in a scenario file. */
    public enum Param {
        GROUP_SIZE("groupSize"),
        IPS_PER_GROUP("ipsPerGroup"),
        IPS_PER_ACCOUNT("ipsPerAccount"),
        DEVICES_PER_ACCOUNT("devicesPerAccount"),
        ACCOUNTS_PER_IP("accountsPerIp"),
        POOL_SIZE("poolSize"),
        HAND_OVER_GAP_MS("handOverGapMs");

        public final String field;

        Param(String field) {
            this.field = field;
        }
    }

    public final Behaviour behaviour;
    private final Set<Param> params;

    Template(Behaviour behaviour, Set<Param> params) {
        this.behaviour = behaviour;
        this.params = params.isEmpty() ? EnumSet.noneOf(Param.class) : EnumSet.copyOf(params);
    }

    public boolean fraud() {
        return behaviour != Behaviour.HONEST;
    }

    public boolean accepts(Param p) {
        return params.contains(p);
    }

    /** Session attacks run only when the crowd is asked for them (--session-attacks), as before scenarios existed. */
    public boolean sessionAttack() {
        return this == STOLEN_SESSION || this == EXPIRED_SESSION;
    }

    /** The default of a parameter for this template, used when the scenario leaves it out. */
    Range defaultOf(Param p) {
        return switch (p) {
            case GROUP_SIZE ->
                switch (this) {
                    case HOUSEHOLD -> new Range(3, 7);
                    case NAT -> new Range(100, 200);
                    case SHARED_TABLET -> new Range(2, 3);
                    case DEVICE_FARM -> new Range(20, 20);
                    case DEVICE_RELAY -> new Range(2, 5);
                    case REGISTRATION_BURST -> new Range(8, 24);
                    case PROXY_ROTATION -> new Range(10, 30);
                    case MULE -> new Range(10, 40);
                    default -> new Range(1, 1);
                };
            case IPS_PER_GROUP -> this == MULE ? new Range(2, 4) : new Range(1, 1);
            case IPS_PER_ACCOUNT ->
                this == PROXY_ROTATION ? new Range(5, 6) : this == TRAVELLER ? new Range(3, 5) : new Range(1, 1);
            case DEVICES_PER_ACCOUNT -> this == TWO_PHONES ? new Range(2, 2) : new Range(1, 1);
            case ACCOUNTS_PER_IP -> new Range(4, 4);
            case POOL_SIZE -> new Range(8, 12);
            case HAND_OVER_GAP_MS -> new Range(5_000, 5_000);
        };
    }
}
