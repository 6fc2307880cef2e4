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

    Budget(String file) {
        this.file = file;
    }

    void add(BudgetLine line, int lineNo) {
        bySponsor.put(line.getSponsorId(), line);
        lineOf.put(line.getSponsorId(), lineNo);
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
