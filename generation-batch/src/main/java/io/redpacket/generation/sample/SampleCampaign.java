package io.redpacket.generation.sample;

import io.redpacket.cli.CommandLines;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes a realistic budget and funding script of any size: sponsors with log-uniform funding (about 30
 * thousand to 3 million yuan), 30-minute slots from 20:00 on New Year's eve, two variants ("main" spreads
 * money evenly, "late" leans on the later slots), 2-4 allocations per sponsor over all three types, and envelope
 * counts scaled so each variant has about {@code --envelopes} envelopes. Every allocation is feasible and every
 * sponsor's allocations add up to its funded amount, so the output validates. The committed
 * {@code samples/large-*} files and the benchmark's inputs come from here.
 */
@Command(
        name = "sample-campaign",
        mixinStandardHelpOptions = true,
        description = "Write a synthetic budget CSV and funding script.")
public final class SampleCampaign implements Callable<Integer> {
    private static final String[] TYPES = {"picture", "video", "brand_logo"};
    private static final String[] WORDS = {
        "Golden", "Pearl", "River", "Dragon", "Lantern", "Jade", "Harbor", "Peak", "Lotus", "Phoenix", "Silk", "Bamboo",
        "Orchid", "Summit", "Tea", "Cloud", "Star", "Spring", "Harmony", "Fortune"
    };
    private static final String[] TRADES = {
        "Dairy", "Beer", "Phones", "Motors", "Travel", "Bank", "Noodles", "Insurance", "Games", "Airlines"
    };

    @Option(names = "--budget", required = true)
    Path budget;

    @Option(names = "--script", required = true)
    Path script;

    @Option(names = "--sponsors", defaultValue = "300")
    int sponsors;

    @Option(names = "--slots", defaultValue = "6")
    int slots;

    @Option(names = "--envelopes", defaultValue = "20000000", description = "Envelopes per variant, approximately.")
    long envelopes;

    @Option(names = "--seed", defaultValue = "2027")
    long seed;

    public static void main(String[] args) {
        System.exit(CommandLines.execute(new SampleCampaign(), args));
    }

    @Override
    public Integer call() throws IOException {
        write(budget, script, sponsors, slots, envelopes, seed);
        System.out.println("wrote " + budget + " and " + script);
        return CommandLines.OK;
    }

    public static void write(Path budgetFile, Path scriptFile, int sponsors, int slotCount, long envelopes, long seed)
            throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        long[] funded = new long[sponsors];
        long totalFunded = 0;
        try (Writer w = Files.newBufferedWriter(budgetFile, StandardCharsets.UTF_8)) {
            w.write("sponsor_id,sponsor_name,payment_order,envelope_account,funded_fen\n");
            for (int s = 0; s < sponsors; s++) {
                funded[s] = Math.round(Math.pow(10, 6.5 + 2 * rnd.nextDouble()));
                totalFunded += funded[s];
                String name = WORDS[rnd.nextInt(WORDS.length)] + " " + WORDS[rnd.nextInt(WORDS.length)] + " "
                        + TRADES[rnd.nextInt(TRADES.length)];
                w.write(String.format(
                        "%s,\"%s, Co.\",PO-2027-%06d,ENV-ACC-%05d,%d%n",
                        id(s), name, 100000 + s * 7, s + 1, funded[s]));
            }
        }
        double meanFen = Math.max(1.0, (double) totalFunded / envelopes);
        try (Writer w = Files.newBufferedWriter(scriptFile, StandardCharsets.UTF_8)) {
            w.write("# Synthetic campaign: " + sponsors + " sponsors, " + slotCount + " slots, ~" + envelopes
                    + " envelopes per variant.\n");
            w.write("# Written by io.redpacket.generation.sample.SampleCampaign (seed " + seed + ").\n");
            w.write("campaign: spring-2027\nslots:\n");
            OffsetDateTime start = OffsetDateTime.parse("2027-02-05T20:00:00+08:00");
            for (int i = 0; i < slotCount; i++) {
                w.write(String.format(
                        "  - {id: %s, start: \"%s\", end: \"%s\"}%n",
                        slotId(start, i), start.plusMinutes(30L * i), start.plusMinutes(30L * (i + 1))));
            }
            w.write("variants:\n");
            for (String variant : new String[] {"main", "late"}) {
                w.write("  - name: " + variant + "\n    allocations:\n");
                for (int s = 0; s < sponsors; s++) {
                    for (String line :
                            allocations(rnd, id(s), funded[s], slotCount, start, meanFen, variant.equals("late"))) {
                        w.write("      - " + line + "\n");
                    }
                }
            }
        }
    }

    private static List<String> allocations(
            SplittableRandom rnd,
            String sponsor,
            long funded,
            int slotCount,
            OffsetDateTime start,
            double meanFen,
            boolean late) {
        int k = 2 + rnd.nextInt(3);
        List<String> out = new ArrayList<>();
        List<Integer> used = new ArrayList<>();
        long left = funded;
        for (int i = 0; i < k; i++) {
            int slot;
            int type;
            int combo;
            do {
                slot = late
                        ? slotCount - 1 - (int) Math.min(slotCount - 1, Math.abs(rnd.nextGaussian()) * slotCount / 3)
                        : rnd.nextInt(slotCount);
                type = rnd.nextInt(TYPES.length);
                combo = slot * TYPES.length + type;
            } while (used.contains(combo) && used.size() < slotCount * TYPES.length);
            if (used.contains(combo)) {
                break;
            }
            used.add(combo);
            long part = i == k - 1
                    ? left
                    : Math.max(1, left / (k - i) + (long) ((rnd.nextDouble() - 0.5) * left / (k - i)));
            part = Math.min(part, left - (k - 1 - i));
            left -= part;
            long mean = Math.max(1, Math.round(meanFen * Math.pow(2, rnd.nextDouble() * 2 - 1)));
            long count = Math.max(1, part / mean);
            long actualMean = part / count;
            long min = Math.max(1, actualMean / 4);
            long max = Math.min((1 << 24) - 1, actualMean * 4 + 1);
            out.add(String.format(
                    "{slot: %s, sponsor: %s, type: %s, total_fen: %d, count: %d, min_fen: %d, max_fen: %d}",
                    slotId(start, slot), sponsor, TYPES[type], part, count, min, max));
        }
        if (left > 0) {
            // Fold any remainder into the last allocation by rewriting it (only when combos ran out).
            throw new IllegalStateException("could not place all of sponsor " + sponsor + "'s money");
        }
        return out;
    }

    private static String id(int s) {
        return String.format("SP%04d", s + 1);
    }

    private static String slotId(OffsetDateTime start, int i) {
        OffsetDateTime t = start.plusMinutes(30L * i);
        return String.format("s%02d%02d", t.getHour(), t.getMinute());
    }
}
