package io.redpacket.generation.spark;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/** Prints how many Spark tasks (groups of envelope files) are done, at most every 5% or 10 s, so a long run shows life. */
public final class ProgressListener extends SparkListener {
    private final PrintStream out;
    private final AtomicInteger done = new AtomicInteger();
    private volatile int total;
    private volatile long lastPrint = System.nanoTime();
    private volatile int lastPercent = -5;
    private final long start = System.nanoTime();

    public ProgressListener(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted stage) {
        total += stage.stageInfo().numTasks();
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd task) {
        int d = done.incrementAndGet();
        int t = Math.max(total, 1);
        int percent = (int) (100L * d / t);
        long now = System.nanoTime();
        if (percent >= lastPercent + 5 || now - lastPrint > 10_000_000_000L || d == t) {
            lastPercent = percent;
            lastPrint = now;
            out.printf("  progress: %d/%d tasks (%d%%), %.0f s%n", d, t, percent, (now - start) / 1e9);
        }
    }
}
