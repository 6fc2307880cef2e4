package io.redpacket.generation.input;

import io.redpacket.avro.BudgetLine;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The parsed budget: one line per sponsor, with the line each came from for messages. */
public final class Budget {
    private final String file;
    private final Map<String, BudgetLine> bySponsor = new LinkedHashMap<>();
    private final Map<String, Integer> lineOf = new LinkedHashMap<>();
    private final java.util.Set<String> unreadableSponsors = new java.util.HashSet<>();
    private boolean unreadable;

    Budget(String file) {
        this.file = file;
    }

    void add(BudgetLine line, int lineNo) {
        bySponsor.put(line.getSponsorId(), line);
        lineOf.put(line.getSponsorId(), lineNo);
    }

    /** A line of this sponsor had a problem, or the file could not be read at all: say nothing more about it. */
    public boolean unreadable(String sponsorId) {
        return unreadable || unreadableSponsors.contains(sponsorId);
    }

    void markUnreadable() {
        unreadable = true;
    }

    void markUnreadable(String sponsorId) {
        unreadableSponsors.add(sponsorId);
    }

    public String file() {
        return file;
    }

    public BudgetLine sponsor(String sponsorId) {
        return bySponsor.get(sponsorId);
    }

    public int lineOf(String sponsorId) {
        return lineOf.getOrDefault(sponsorId, 0);
    }

    public Map<String, BudgetLine> bySponsor() {
        return Collections.unmodifiableMap(bySponsor);
    }

    public List<BudgetLine> lines() {
        return List.copyOf(bySponsor.values());
    }
}
