package io.redpacket.campaign;

import java.util.concurrent.TimeUnit;

/**
 * What the campaign shows while it runs, from the topics alone ({@link TopicTally}: the edges' live metrics, opens,
 * credits, rejects, holds): one progress line per tick, and the drain that waits for settlement to answer every open.
 */
final class CampaignObserver {
    private final TopicTally tally;
    private final Progress out;

    CampaignObserver(TopicTally tally, Progress out) {
        this.tally = tally;
        this.out = out;
    }

    /** One progress line; {@code clock} null before and after the slots. */
    void report(CampaignClock clock) {
        TopicTally.Snapshot t = tally.snapshot();
        out.progress(String.format(
                "slot %s | shakes %,d  dispensed %,d  opened %,d | credited %,d (%s)  rejected %,d  %sbacklog %,d",
                clock == null ? "-" : clock.slotAt(System.currentTimeMillis()),
                t.edgeCounters().getOrDefault("shakes", 0L),
                t.edgeCounters().getOrDefault("dispensed", 0L),
                t.opens(),
                t.credits(),
                Progress.yuan(t.creditedFen()),
                t.rejected(),
                t.heldOpens() > 0
                        ? String.format("held for review %,d (%s)  ", t.heldOpens(), Progress.yuan(t.heldFen()))
                        : "",
                Math.max(0, t.opens() - t.credits() - t.rejected() - t.heldOpens())));
    }

    /**
     * Waits until settlement has answered every open (credit or reject) or holds it for review, and the count has
     * stood still for 6 s (more than two checkpoints, so the logs commit); at most 5 minutes.
     */
    void drain() throws InterruptedException {
        out.stage("draining: waiting for settlement to answer every open");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        long stableSince = 0;
        long last = -1;
        while (System.nanoTime() < deadline) {
            report(null);
            TopicTally.Snapshot t = tally.snapshot();
            long answered = t.credits() + t.rejected() + t.heldOpens();
            if (answered >= t.opens() && answered == last) {
                if (stableSince == 0) {
                    stableSince = System.nanoTime();
                } else if (System.nanoTime() - stableSince > TimeUnit.SECONDS.toNanos(6)) {
                    return;
                }
            } else {
                stableSince = 0;
            }
            last = answered;
            Thread.sleep(1_000);
        }
        out.stage("warning: settlement still has a backlog after 5 minutes; the rest is reported as pending");
    }
}
