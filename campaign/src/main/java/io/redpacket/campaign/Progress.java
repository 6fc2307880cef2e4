package io.redpacket.campaign;

import io.redpacket.money.Fen;
import java.io.PrintStream;

/** What a person watching the campaign sees: stages as they start, and a progress line every few seconds. */
final class Progress {
    private final PrintStream out;
    private final long start = System.nanoTime();

    Progress(PrintStream out) {
        this.out = out;
    }

    void stage(String what) {
        out.printf("[%6.1f s] %s%n", elapsed(), what);
        out.flush();
    }

    void progress(String line) {
        out.printf("[%6.1f s]   %s%n", elapsed(), line);
        out.flush();
    }

    double elapsed() {
        return (System.nanoTime() - start) / 1e9;
    }

    /** Fen as yuan with two decimals, from integers only. */
    static String yuan(long fen) {
        return Fen.yuan(fen) + " yuan";
    }
}
