package io.redpacket.simulation.scenario;

import io.redpacket.simulation.scenario.ClientProfiles.Network;
import io.redpacket.simulation.scenario.Scenario.Population;
import io.redpacket.simulation.scenario.Template.Param;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Scenario + seed -> the crowd's accounts, with their devices, addresses, groups and when they play: a pure function
 * (no I/O, no clock), so every template's layout is unit-tested directly and a seed always gives the same crowd.
 *
 * <p>How many accounts each population gets: {@code count}s first, then the rest of {@link Settings#users} split by
 * {@code share} (shares are weights, largest remainders get the odd accounts). With {@link Settings#fraudShare} the
 * fraud populations' shares are scaled to that share of the share-based accounts together, honest ones to the rest
 * (their proportions within each side kept). Session-attack populations are left out unless
 * {@link Settings#sessionAttacks}. A group template fills its accounts with groups whose size is drawn from
 * {@code groupSize}; what is left at the end joins the last group when that stays within the range, else forms a
 * smaller group (always on a crowd too small for one whole group).
 */
public final class PopulationPlanner {

    /**
     * @param durationMs     how long the show runs for the crowd (ms from its start)
     * @param arrivalMs      people arrive uniformly over this window
     * @param playSpanMs     how long a person typically plays (arrival to capped): a traveller's addresses and a
     *                       two-phone owner's phones change within it, so that its requests show them
     * @param fraudShare     null: the scenario's shares as written
     * @param farmSize       null: the scenario's groupSize for DEVICE_FARM populations (the crowd's --farm-size)
     * @param sessionAttacks include STOLEN_SESSION and EXPIRED_SESSION populations
     */
    public record Settings(
            int users,
            long seed,
            long durationMs,
            long arrivalMs,
            long playSpanMs,
            Double fraudShare,
            Integer farmSize,
            boolean sessionAttacks) {}

    private final Settings settings;
    private final Random random;
    private final ClientProfiles profiles;
    private final List<PlannedUser> out = new ArrayList<>();

    private PopulationPlanner(Settings settings) {
        this.settings = settings;
        this.random = new Random(settings.seed());
        this.profiles = new ClientProfiles(random);
    }

    /** The crowd's accounts, population by population in scenario order. */
    public static List<PlannedUser> plan(Scenario scenario, Settings settings) {
        if (settings.users() < 1
                || settings.durationMs() < 1
                || settings.arrivalMs() < 1
                || settings.playSpanMs() < 1) {
            throw new IllegalArgumentException("users, duration and arrival window must be positive: " + settings);
        }
        PopulationPlanner p = new PopulationPlanner(settings);
        List<Population> pops = scenario.populations().stream()
                .filter(x -> settings.sessionAttacks() || !x.template().sessionAttack())
                .map(x -> x.template() == Template.DEVICE_FARM && settings.farmSize() != null
                        ? x.withGroupSize(new Range(settings.farmSize(), settings.farmSize()))
                        : x)
                .toList();
        int[] sizes = allocate(pops, settings, scenario.source());
        for (int i = 0; i < pops.size(); i++) {
            p.populate(pops.get(i), sizes[i]);
        }
        return List.copyOf(p.out);
    }

    /** Accounts per population (see class doc). */
    static int[] allocate(List<Population> pops, Settings settings, String source) {
        int[] sizes = new int[pops.size()];
        int fixed = 0;
        double honestWeight = 0;
        double fraudWeight = 0;
        for (int i = 0; i < pops.size(); i++) {
            Population p = pops.get(i);
            if (p.count() != null) {
                sizes[i] = p.count();
                fixed += p.count();
            } else if (p.template().fraud()) {
                fraudWeight += p.share();
            } else {
                honestWeight += p.share();
            }
        }
        if (fixed > settings.users()) {
            throw new IllegalArgumentException(source + ": populations with a count hold " + fixed
                    + " accounts, more than the crowd's " + settings.users());
        }
        int rest = settings.users() - fixed;
        double[] weight = new double[pops.size()];
        double total = 0;
        for (int i = 0; i < pops.size(); i++) {
            Population p = pops.get(i);
            if (p.share() == null) {
                continue;
            }
            double w = p.share();
            if (settings.fraudShare() != null && honestWeight > 0 && fraudWeight > 0) {
                w = p.template().fraud()
                        ? settings.fraudShare() * w / fraudWeight
                        : (1 - settings.fraudShare()) * w / honestWeight;
            }
            weight[i] = w;
            total += w;
        }
        if (total == 0) {
            return sizes;
        }
        // Largest remainder: exact total, no population starved by rounding when it deserves an account.
        int given = 0;
        double[] remainder = new double[pops.size()];
        for (int i = 0; i < pops.size(); i++) {
            double exact = rest * weight[i] / total;
            int floor = (int) Math.floor(exact);
            sizes[i] += floor;
            given += floor;
            remainder[i] = weight[i] > 0 ? exact - floor : -1;
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < pops.size(); i++) {
            order.add(i);
        }
        order.sort((a, b) -> Double.compare(remainder[b], remainder[a]));
        for (int k = 0; given < rest; k++) {
            sizes[order.get(k % order.size())]++;
            given++;
        }
        return sizes;
    }

    private void populate(Population p, int accounts) {
        int group = 0;
        int left = accounts;
        while (left > 0) {
            Range sizes = p.param(Param.GROUP_SIZE);
            int size = Math.min(left, Math.max(1, sizes.drawInt(random)));
            if (left - size > 0 && left - size < sizes.min() && left <= sizes.max()) {
                // What would be left is too small for a group of its own: it joins this one.
                size = left;
            }
            group(p, size, p.name() + "-" + (++group));
            left -= size;
        }
    }

    /** One group of {@code size} accounts (a single account for templates without groups). */
    private void group(Population p, int size, String groupId) {
        long duration = settings.durationMs();
        Pacing pacing = p.pacingOrDefault();
        switch (p.template()) {
            case SOLO, FORGE, CAP_BYPASS, STOLEN_SESSION, EXPIRED_SESSION ->
                add(p, "", null, whole(arrival(), profiles.phone(), profiles.ip(Network.RESIDENTIAL)), pacing, null);
            case REPLAY -> {
                String id = profiles.accountId();
                add(
                        p,
                        id,
                        groupId,
                        whole(arrival(), profiles.phone(), profiles.ip(Network.RESIDENTIAL)),
                        pacing,
                        new PlannedUser.PlannedAccomplice(profiles.accountId()),
                        id);
            }
            case HOUSEHOLD -> {
                String wifi = profiles.ip(Network.RESIDENTIAL);
                for (int i = 0; i < size; i++) {
                    add(p, "", groupId, whole(arrival(), profiles.phone(), wifi), pacing, null);
                }
            }
            case NAT -> {
                Network network = p.param(Param.IPS_PER_GROUP).max() > 1 ? Network.CARRIER : Network.CAMPUS;
                List<String> egress = ips(network, p.param(Param.IPS_PER_GROUP).drawInt(random));
                for (int i = 0; i < size; i++) {
                    add(
                            p,
                            "",
                            groupId,
                            whole(arrival(), profiles.phone(), egress.get(random.nextInt(egress.size()))),
                            pacing,
                            null);
                }
            }
            case SHARED_TABLET, DEVICE_FARM -> {
                Device shared = p.template() == Template.SHARED_TABLET ? profiles.tablet() : profiles.phone();
                String ip = profiles.ip(Network.RESIDENTIAL);
                for (int i = 0; i < size; i++) {
                    add(p, "", groupId, whole(arrival(), shared, ip), pacing, null);
                }
            }
            case TWO_PHONES -> {
                int n = Math.max(1, p.param(Param.DEVICES_PER_ACCOUNT).drawInt(random));
                List<Device> phones = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    phones.add(profiles.phone());
                }
                String ip = profiles.ip(Network.RESIDENTIAL);
                // Picks up one phone, then the other (and maybe back): every phone is used at least once.
                List<Long> cuts = cutsOfPlay(arrival(), n + random.nextInt(n + 1));
                List<Stint> stints = new ArrayList<>();
                for (int i = 0; i + 1 < cuts.size(); i++) {
                    stints.add(new Stint(cuts.get(i), cuts.get(i + 1), phones.get(i % n), ip));
                }
                add(p, "", null, stints, pacing, null);
            }
            case TRAVELLER -> {
                int n = Math.max(1, p.param(Param.IPS_PER_ACCOUNT).drawInt(random));
                Device phone = profiles.phone();
                List<String> where = ips(Network.RESIDENTIAL, n);
                List<Long> cuts = cutsOfPlay(arrival(), n);
                List<Stint> stints = new ArrayList<>();
                for (int i = 0; i + 1 < cuts.size(); i++) {
                    stints.add(new Stint(cuts.get(i), cuts.get(i + 1), phone, where.get(i)));
                }
                add(p, "", null, stints, pacing, null);
            }
            case DEVICE_RELAY -> {
                Device phone = profiles.phone();
                String ip = profiles.ip(Network.RESIDENTIAL);
                long window = duration / size;
                long gap = Math.min(p.param(Param.HAND_OVER_GAP_MS).draw(random), window / 2);
                for (int i = 0; i < size; i++) {
                    // Each account has the phone for its own window; the next takes over after the gap.
                    long from = i * window + (i == 0 ? Math.min(arrival(), window / 4) : 0);
                    long to = (i + 1) * window - gap;
                    add(p, "", groupId, List.of(new Stint(from, to, phone, ip)), pacing, null, groupId);
                }
            }
            case REGISTRATION_BURST -> {
                List<String> ids = profiles.sequentialAccountIds(size);
                int perIp = Math.max(1, p.param(Param.ACCOUNTS_PER_IP).drawInt(random));
                List<String> proxies = ips(Network.HOSTING, (size + perIp - 1) / perIp);
                for (int i = 0; i < size; i++) {
                    add(
                            p,
                            ids.get(i),
                            groupId,
                            whole(arrival(), profiles.phone(), proxies.get(i / perIp)),
                            pacing,
                            null,
                            groupId);
                }
            }
            case PROXY_ROTATION -> {
                List<String> pool =
                        ips(Network.RESIDENTIAL, p.param(Param.POOL_SIZE).drawInt(random));
                for (int i = 0; i < size; i++) {
                    int n = Math.min(
                            pool.size(),
                            Math.max(1, p.param(Param.IPS_PER_ACCOUNT).drawInt(random)));
                    List<String> mine = new ArrayList<>(pool);
                    Collections.shuffle(mine, random);
                    // A rotating proxy gives a new exit per connection: every request leaves from the next of its own.
                    add(
                            p,
                            "",
                            groupId,
                            List.of(new Stint(arrival(), duration, profiles.phone(), mine.subList(0, n))),
                            pacing,
                            null);
                }
            }
            case MULE -> {
                List<String> exits =
                        ips(Network.HOSTING, p.param(Param.IPS_PER_GROUP).drawInt(random));
                String agent = profiles.scriptAgent();
                long start = arrival();
                for (int i = 0; i < size; i++) {
                    long at = pacing == Pacing.SCRIPT ? start : arrival();
                    add(
                            p,
                            "",
                            groupId,
                            whole(at, profiles.scriptedDevice(agent), exits.get(i % exits.size())),
                            pacing,
                            null,
                            groupId);
                }
            }
        }
    }

    private void add(
            Population p,
            String id,
            String groupId,
            List<Stint> stints,
            Pacing pacing,
            PlannedUser.PlannedAccomplice accomplice) {
        add(p, id, groupId, stints, pacing, accomplice, null);
    }

    /** {@code id} empty: a fresh one; {@code unit} null: registers on its own. */
    private void add(
            Population p,
            String id,
            String groupId,
            List<Stint> stints,
            Pacing pacing,
            PlannedUser.PlannedAccomplice accomplice,
            String unit) {
        String account = id.isEmpty() ? profiles.accountId() : id;
        if (p.template() == Template.DEVICE_FARM) {
            unit = groupId;
        }
        out.add(new PlannedUser(
                account,
                p.template().behaviour,
                p.name(),
                groupId == null ? "" : groupId,
                unit == null ? account : unit,
                List.copyOf(stints),
                pacing,
                accomplice));
    }

    /** One stint from arrival to the end of the show. */
    private List<Stint> whole(long from, Device device, String ip) {
        return List.of(new Stint(from, settings.durationMs(), device, ip));
    }

    /** When a person arrives: uniform over the arrival window (and before the show ends). */
    private long arrival() {
        return (long) (random.nextDouble() * Math.min(settings.arrivalMs(), settings.durationMs() - 1));
    }

    /** {@code n} distinct addresses of a network. */
    private List<String> ips(Network network, int n) {
        List<String> ips = new ArrayList<>(n);
        for (int i = 0; i < Math.max(1, n); i++) {
            ips.add(profiles.ip(network));
        }
        return ips;
    }

    /**
     * n stretches from {@code from}: the first n - 1 within a person's play span (so its requests show every one of
     * them), the last to the end of the show.
     */
    private List<Long> cutsOfPlay(long from, int n) {
        long duration = settings.durationMs();
        long end = Math.min(duration, from + settings.playSpanMs());
        if (end - from < n) {
            // No room for n stretches (a show of a few milliseconds): one.
            return List.of(from, duration);
        }
        List<Long> cuts = cuts(from, end, n);
        cuts.set(cuts.size() - 1, duration);
        return cuts;
    }

    /** {@code from}, {@code n - 1} increasing cut points, {@code to}: n stretches, none empty (when room allows). */
    private List<Long> cuts(long from, long to, int n) {
        List<Long> cuts = new ArrayList<>();
        cuts.add(from);
        long span = Math.max(n, to - from);
        // Evenly spaced with jitter of up to a third of a stretch either way: every stretch stays non-empty.
        for (int i = 1; i < n; i++) {
            long even = from + span * i / n;
            long jitter = (long) ((random.nextDouble() - 0.5) * 2 / 3 * (span / n));
            cuts.add(even + jitter);
        }
        cuts.add(from + span);
        return cuts;
    }
}
