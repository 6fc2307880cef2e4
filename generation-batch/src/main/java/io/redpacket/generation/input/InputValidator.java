package io.redpacket.generation.input;

import io.redpacket.avro.Allocation;
import io.redpacket.avro.BudgetLine;
import io.redpacket.cli.BadInputException;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.io.FileStore;
import io.redpacket.io.LocalFileStore;
import io.redpacket.io.Locations;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a budget and a funding script for data and logic before anything is generated, and reports every
 * problem at once. Data: what the readers check (numbers, required fields, known types) plus unique ids, ordered
 * and non-overlapping slots, sponsors present in the budget. Logic: every allocation feasible
 * ({@code count * min <= total <= count * max}), the script's totals per sponsor equal to the funded amount
 * (total-vs-parts), and the record format's capacities (amount, batch ids, envelope ids) respected.
 */
public final class InputValidator {
    /** Variant and slot ids become directory names. */
    static final Pattern PATH_SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private InputValidator() {}

    /** The validated inputs of local files; a {@link BadInputException} listing every problem otherwise. */
    public static ValidatedInputs validate(Path budgetFile, Path scriptFile) throws IOException, BadInputException {
        return validate(
                LocalFileStore.INSTANCE,
                Locations.parse(budgetFile.toString()),
                Locations.parse(scriptFile.toString()));
    }

    /** The validated inputs, read from any file system; a {@link BadInputException} listing every problem otherwise. */
    public static ValidatedInputs validate(FileStore store, URI budgetFile, URI scriptFile)
            throws IOException, BadInputException {
        requireFile(store, budgetFile, "budget");
        requireFile(store, scriptFile, "funding script");
        Problems problems = new Problems();
        Budget budget;
        try (BufferedReader in = reader(store, budgetFile)) {
            budget = BudgetCsv.read(in, Locations.display(budgetFile), problems);
        }
        FundingScript script;
        try (BufferedReader in = reader(store, scriptFile)) {
            script = FundingScriptReader.read(in, Locations.display(scriptFile), problems);
        }
        if (script != null) {
            check(budget, script, problems);
        }
        problems.throwIfAny();
        return new ValidatedInputs(budget, script);
    }

    private static void requireFile(FileStore store, URI file, String what) throws IOException {
        if (!store.exists(file)) {
            throw new NoSuchFileException(Locations.display(file), null, what + " file does not exist");
        }
        if (store.isDirectory(file)) {
            throw new NoSuchFileException(
                    Locations.display(file), null, "is a directory; expected the " + what + " file");
        }
    }

    private static BufferedReader reader(FileStore store, URI file) throws IOException {
        return new BufferedReader(new InputStreamReader(store.open(file), StandardCharsets.UTF_8));
    }

    static void check(Budget budget, FundingScript script, Problems problems) {
        String file = script.file();
        Map<String, Integer> variantLines = new HashMap<>();
        Map<List<FundingScript.SlotEntry>, Boolean> checkedSlotLists = new IdentityHashMap<>();
        BigInteger nextEnvelopeId = BigInteger.ZERO;
        for (FundingScript.Variant v : script.variants()) {
            if (v.name() != null) {
                Integer first = variantLines.putIfAbsent(v.name(), v.line());
                if (first != null) {
                    problems.add(
                            file,
                            v.line(),
                            v.field() + ".name",
                            "duplicate variant " + v.name() + " (first on line " + first + ")");
                } else if (!PATH_SAFE.matcher(v.name()).matches()) {
                    problems.add(
                            file,
                            v.line(),
                            v.field() + ".name",
                            "'" + v.name() + "' must be 1-64 of A-Z a-z 0-9 . _ - (it names a directory)");
                }
            }
            if (checkedSlotLists.put(v.slots(), Boolean.TRUE) == null) {
                checkSlots(file, v.slots(), problems);
            }
            Map<String, FundingScript.SlotEntry> slots = new HashMap<>();
            v.slots().forEach(s -> slots.putIfAbsent(s.slot().getSlotId(), s));
            Map<String, Integer> seen = new HashMap<>();
            // Each value has at most 18 digits, but a sponsor's allocations can add up past 64 bits: add exactly.
            Map<String, BigInteger> sponsorTotals = new LinkedHashMap<>();
            BigInteger variantTotal = BigInteger.ZERO;
            BigInteger envelopes = BigInteger.ZERO;
            for (FundingScript.AllocationEntry e : v.allocations()) {
                Allocation a = e.allocation();
                String at = e.field();
                if (!slots.containsKey(a.getSlotId())) {
                    problems.add(
                            file,
                            e.line(),
                            at + ".slot",
                            "unknown slot " + a.getSlotId() + " (slots: "
                                    + String.join(
                                            ", ",
                                            slots.keySet().stream().sorted().toList()) + ")");
                }
                BudgetLine sponsor = budget.sponsor(a.getSponsorId());
                if (sponsor == null && !budget.unreadable(a.getSponsorId())) {
                    problems.add(
                            file,
                            e.line(),
                            at + ".sponsor",
                            "sponsor " + a.getSponsorId() + " is not in the budget " + budget.file());
                }
                String key = a.getSlotId() + "/" + a.getSponsorId() + "/" + a.getType();
                Integer firstLine = seen.putIfAbsent(key, e.line());
                if (firstLine != null) {
                    problems.add(
                            file,
                            e.line(),
                            at,
                            "duplicate allocation for slot " + a.getSlotId() + ", sponsor " + a.getSponsorId()
                                    + ", type " + a.getType() + " (first on line " + firstLine + ")");
                }
                checkAllocation(file, e, problems);
                sponsorTotals.merge(a.getSponsorId(), BigInteger.valueOf(a.getTotalFen()), BigInteger::add);
                variantTotal = variantTotal.add(BigInteger.valueOf(a.getTotalFen()));
                envelopes = envelopes.add(BigInteger.valueOf(a.getCount()));
            }
            if (v.allocations().size() > EnvelopeLayout.MAX_BATCH_ID) {
                problems.add(
                        file,
                        v.line(),
                        v.field() + ".allocations",
                        v.allocations().size() + " allocations, but batch ids allow at most "
                                + EnvelopeLayout.MAX_BATCH_ID);
            }
            nextEnvelopeId = nextEnvelopeId.add(envelopes);
            if (nextEnvelopeId.compareTo(BigInteger.valueOf(EnvelopeLayout.MAX_ENVELOPES)) > 0) {
                problems.add(
                        file,
                        v.line(),
                        v.field() + ".allocations",
                        "envelope ids would reach " + nextEnvelopeId
                                + " (with the variants before it), but the record allows at most "
                                + EnvelopeLayout.MAX_ENVELOPES);
            }
            if (variantTotal.compareTo(BigInteger.valueOf(Long.MAX_VALUE)) > 0) {
                // Every stage adds a variant's money in 64-bit fen (reports, settlement, reconciliation).
                problems.add(
                        file,
                        v.line(),
                        v.field() + ".allocations",
                        "allocates " + variantTotal + " fen in all, more than a campaign variant may hold ("
                                + Long.MAX_VALUE + " fen)");
            }
            checkTotals(budget, v, sponsorTotals, file, problems);
        }
    }

    private static void checkSlots(String file, List<FundingScript.SlotEntry> slots, Problems problems) {
        Map<String, Integer> ids = new HashMap<>();
        List<FundingScript.SlotEntry> ordered = new ArrayList<>();
        for (FundingScript.SlotEntry s : slots) {
            String id = s.slot().getSlotId();
            Integer first = ids.putIfAbsent(id, s.line());
            if (first != null) {
                problems.add(file, s.line(), "slots.id", "duplicate slot " + id + " (first on line " + first + ")");
                continue;
            }
            if (!PATH_SAFE.matcher(id).matches()) {
                problems.add(
                        file,
                        s.line(),
                        "slots.id",
                        "'" + id + "' must be 1-64 of A-Z a-z 0-9 . _ - (it names a directory)");
            }
            if (s.slot().getStartMs() >= s.slot().getEndMs()) {
                problems.add(file, s.line(), "slots.end", "slot " + id + " ends at or before its start");
                continue;
            }
            ordered.add(s);
        }
        ordered.sort(Comparator.comparingLong(s -> s.slot().getStartMs()));
        for (int i = 1; i < ordered.size(); i++) {
            FundingScript.SlotEntry prev = ordered.get(i - 1);
            FundingScript.SlotEntry cur = ordered.get(i);
            if (cur.slot().getStartMs() < prev.slot().getEndMs()) {
                problems.add(
                        file,
                        cur.line(),
                        "slots.start",
                        "slot " + cur.slot().getSlotId() + " overlaps slot "
                                + prev.slot().getSlotId() + " (line " + prev.line() + ") by "
                                + (prev.slot().getEndMs() - cur.slot().getStartMs()) + " ms");
            }
        }
    }

    private static void checkAllocation(String file, FundingScript.AllocationEntry e, Problems problems) {
        Allocation a = e.allocation();
        String at = e.field();
        if (a.getMaxFen() > EnvelopeLayout.MAX_AMOUNT_FEN) {
            problems.add(
                    file,
                    e.line(),
                    at + ".max_fen",
                    a.getMaxFen() + " exceeds the record's largest amount " + EnvelopeLayout.MAX_AMOUNT_FEN + " fen");
        }
        if (a.getCount() > EnvelopeLayout.MAX_ENVELOPES) {
            problems.add(
                    file,
                    e.line(),
                    at + ".count",
                    a.getCount() + " exceeds the record's envelope id space " + EnvelopeLayout.MAX_ENVELOPES);
        }
        if (a.getMinFen() > a.getMaxFen()) {
            problems.add(
                    file,
                    e.line(),
                    at + ".min_fen",
                    "min " + a.getMinFen() + " fen is above max " + a.getMaxFen() + " fen");
            return;
        }
        BigInteger count = BigInteger.valueOf(a.getCount());
        BigInteger total = BigInteger.valueOf(a.getTotalFen());
        BigInteger low = count.multiply(BigInteger.valueOf(a.getMinFen()));
        BigInteger high = count.multiply(BigInteger.valueOf(a.getMaxFen()));
        if (total.compareTo(low) < 0) {
            problems.add(
                    file,
                    e.line(),
                    at + ".total_fen",
                    "infeasible: " + a.getTotalFen() + " fen is less than count x min = " + a.getCount() + " x "
                            + a.getMinFen() + " = " + low + " fen");
        } else if (total.compareTo(high) > 0) {
            problems.add(
                    file,
                    e.line(),
                    at + ".total_fen",
                    "infeasible: " + a.getTotalFen() + " fen is more than count x max = " + a.getCount() + " x "
                            + a.getMaxFen() + " = " + high + " fen");
        }
    }

    private static void checkTotals(
            Budget budget,
            FundingScript.Variant v,
            Map<String, BigInteger> scriptTotals,
            String file,
            Problems problems) {
        if (v.unreadableAllocations()) {
            return; // an allocation without a readable sponsor could belong to anyone
        }
        for (BudgetLine b : budget.lines()) {
            if (v.unreadableSponsors().contains(b.getSponsorId())) {
                continue;
            }
            BigInteger script = scriptTotals.getOrDefault(b.getSponsorId(), BigInteger.ZERO);
            BigInteger diff = script.subtract(BigInteger.valueOf(b.getFundedFen()));
            if (diff.signum() != 0) {
                problems.add(
                        file,
                        v.line(),
                        v.field() + ".allocations",
                        "sponsor " + b.getSponsorId() + " (" + b.getSponsorName() + "): script allocates "
                                + script + " fen, budget line " + budget.lineOf(b.getSponsorId()) + " funds "
                                + b.getFundedFen() + " fen, difference "
                                + (diff.signum() > 0 ? "+" : "") + diff + " fen ("
                                + (diff.signum() > 0 ? "over" : "under") + "-allocated)");
            }
        }
    }
}
