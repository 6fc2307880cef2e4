package io.redpacket.campaign;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the operators, the insider and the drills do while the crowd runs, as data: steps at fractions of the
 * campaign's length, each fired once, in order of their time. A step marked {@code evenIfLate} still fires after the
 * crowd is done if the campaign ended before it (the blacklist and the insider's attacks must always happen); the
 * others (kills, restarts of a drill) are skipped then.
 */
final class CampaignTimeline {
    /** One step's work. */
    interface Action {
        void run() throws Exception;
    }

    record Step(double at, String name, boolean evenIfLate, Action action) {
        Step {
            if (at < 0 || at > 1) {
                throw new IllegalArgumentException(name + ": at " + at + " is not a fraction of the campaign");
            }
        }
    }

    private final List<Step> steps = new ArrayList<>();
    private final Set<String> fired = new HashSet<>();

    CampaignTimeline add(double at, String name, boolean evenIfLate, Action action) {
        if (steps.stream().anyMatch(s -> s.name().equals(name))) {
            throw new IllegalArgumentException("two steps named " + name);
        }
        steps.add(new Step(at, name, evenIfLate, action));
        steps.sort(Comparator.comparingDouble(Step::at));
        return this;
    }

    /** Fires, in order, every step due at {@code fraction} of the campaign that has not fired yet. */
    void fireDue(double fraction) throws Exception {
        for (Step s : steps) {
            if (s.at() < fraction && !fired.contains(s.name())) {
                fire(s);
            }
        }
    }

    /** After the crowd: fires, in order, the steps that must happen even though the campaign ended before them. */
    void fireLate() throws Exception {
        for (Step s : steps) {
            if (s.evenIfLate() && !fired.contains(s.name())) {
                fire(s);
            }
        }
    }

    boolean fired(String name) {
        return fired.contains(name);
    }

    List<Step> steps() {
        return List.copyOf(steps);
    }

    private void fire(Step s) throws Exception {
        fired.add(s.name());
        s.action().run();
    }
}
