package io.redpacket.settlement.records;

/** How many credits of a channel wait for their 100 ms slot, as of {@code atMs}. */
public class BacklogReport {
    public String channel;
    public long backlog;
    public long atMs;

    public BacklogReport() {}

    public BacklogReport(String channel, long backlog, long atMs) {
        this.channel = channel;
        this.backlog = backlog;
        this.atMs = atMs;
    }
}
