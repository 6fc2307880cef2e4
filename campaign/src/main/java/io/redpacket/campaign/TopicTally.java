package io.redpacket.campaign;

import io.redpacket.avro.CreditInstruction;
import io.redpacket.avro.LiveMetric;
import io.redpacket.avro.OpenEvent;
import io.redpacket.avro.RejectReason;
import io.redpacket.avro.RejectedOpen;
import io.redpacket.io.Topics;
import io.redpacket.simulation.insider.Insider;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Watches the campaign's topics as a payment back end would: credits read_committed (only what settlement
 * committed), rejects, and the opens the edges enqueued. Keeps the per-envelope view the final checks need
 * (who was credited for what), which at demo scale is a few hundred thousand entries.
 */
final class TopicTally implements AutoCloseable {
    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final String bootstrap;

    private long opens;
    private long credits;
    private long creditedFen;
    private long duplicateCredits;
    private final Map<Long, CreditInstruction> creditByEnvelope = new HashMap<>();
    /** The first opens seen, by event id, so a sample of credited ones can be replayed. Bounded. */
    private final Map<String, OpenEvent> sampleOpens = new java.util.LinkedHashMap<>();

    private static final int SAMPLE_OPENS = 5_000;
    private final Map<RejectReason, Long> rejects = new EnumMap<>(RejectReason.class);
    private final Map<String, Long> creditedFenBySponsor = new HashMap<>();
    private final LiveCounters edgeCounters = new LiveCounters();
    private final LiveCounters settlementCounters = new LiveCounters();
    private volatile Throwable failure;
    private volatile long lastMetricMs;
    static final String CANARY_PREFIX = "canary-";
    private long canariesAnswered;

    TopicTally(String bootstrap) {
        this.bootstrap = bootstrap;
        this.thread = new Thread(this::run, "topic-tally");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            // Assigned, not subscribed: no group, so a broker restart cannot reset positions and count twice.
            List<org.apache.kafka.common.TopicPartition> partitions = new java.util.ArrayList<>();
            for (String topic : List.of(Topics.OPENS, Topics.CREDITS, Topics.REJECTS, Topics.METRICS)) {
                c.partitionsFor(topic, Duration.ofSeconds(30))
                        .forEach(pi ->
                                partitions.add(new org.apache.kafka.common.TopicPartition(topic, pi.partition())));
            }
            c.assign(partitions);
            c.seekToBeginning(partitions);
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(250))) {
                    apply(r);
                }
            }
        } catch (Throwable t) {
            if (running.get()) {
                failure = t;
            }
        }
    }

    private synchronized void apply(ConsumerRecord<byte[], byte[]> r) throws java.io.IOException {
        switch (r.topic()) {
            case Topics.OPENS -> {
                OpenEvent e = OpenEvent.fromByteBuffer(ByteBuffer.wrap(r.value()));
                opens++;
                if (sampleOpens.size() < SAMPLE_OPENS && !e.getEventId().startsWith(Insider.EVENT_PREFIX)) {
                    sampleOpens.put(e.getEventId(), e);
                }
            }
            case Topics.CREDITS -> {
                CreditInstruction ci = CreditInstruction.fromByteBuffer(ByteBuffer.wrap(r.value()));
                credits++;
                creditedFen += ci.getAmountFen();
                creditedFenBySponsor.merge(ci.getSponsorId(), ci.getAmountFen(), Long::sum);
                if (creditByEnvelope.putIfAbsent(ci.getEnvelopeId(), ci) != null) {
                    duplicateCredits++;
                }
            }
            case Topics.METRICS -> {
                // Edges publish here too (key edge-<id>): their counters are the campaign's shake and dispense figures;
                // only settlement's records say settlement is alive.
                String source = r.key() == null ? "" : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
                if (source.equals("settlement")) {
                    lastMetricMs = System.currentTimeMillis();
                    LiveMetric m = LiveMetric.fromByteBuffer(ByteBuffer.wrap(r.value()));
                    settlementCounters.accept(m.getSource(), m.getName(), m.getValue(), m.getWindowEndMs());
                } else if (source.startsWith("edge-")) {
                    LiveMetric m = LiveMetric.fromByteBuffer(ByteBuffer.wrap(r.value()));
                    edgeCounters.accept(m.getSource(), m.getName(), m.getValue(), m.getWindowEndMs());
                }
            }
            case Topics.REJECTS -> {
                RejectedOpen rej = RejectedOpen.fromByteBuffer(ByteBuffer.wrap(r.value()));
                rejects.merge(rej.getReason(), 1L, Long::sum);
                if (rej.getOpenEventId().startsWith(CANARY_PREFIX)) {
                    canariesAnswered++;
                }
            }
            default -> {}
        }
    }

    synchronized Snapshot snapshot() {
        if (failure != null) {
            throw new IllegalStateException("watching the topics failed: " + failure, failure);
        }
        long rejected = rejects.values().stream().mapToLong(Long::longValue).sum();
        Map<String, Long> settled = settlementCounters.totals();
        return new Snapshot(
                opens,
                credits,
                creditedFen,
                duplicateCredits,
                rejected,
                new EnumMap<>(rejects),
                Map.copyOf(creditedFenBySponsor),
                edgeCounters.totals(),
                Math.max(0, settled.getOrDefault("held_opens", 0L) - settled.getOrDefault("unheld_opens", 0L)),
                Math.max(0, settled.getOrDefault("held_fen", 0L) - settled.getOrDefault("unheld_fen", 0L)));
    }

    /** When settlement last published a live metric (0 = never): it publishes every second while running. */
    long lastMetricMs() {
        return lastMetricMs;
    }

    /** Canary opens settlement has answered (rejected, committed): proof the whole job is live. */
    synchronized long canariesAnswered() {
        return canariesAnswered;
    }

    synchronized CreditInstruction creditOf(long envelopeId) {
        return creditByEnvelope.get(envelopeId);
    }

    /** Up to n opens (from the sample) whose envelope was credited by that very open. */
    synchronized List<OpenEvent> creditedOpens(int n) {
        List<OpenEvent> out = new java.util.ArrayList<>();
        for (CreditInstruction c : creditByEnvelope.values()) {
            OpenEvent e = sampleOpens.get(c.getOpenEventId());
            if (e != null) {
                out.add(e);
                if (out.size() == n) {
                    break;
                }
            }
        }
        return out;
    }

    /** Credits whose open event id is in {@code eventIds}: fraud that got paid. */
    synchronized List<CreditInstruction> creditsForEvents(java.util.Set<String> eventIds) {
        return creditByEnvelope.values().stream()
                .filter(c -> eventIds.contains(c.getOpenEventId()))
                .toList();
    }

    synchronized Map<Long, CreditInstruction> credits() {
        return Map.copyOf(creditByEnvelope);
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(5_000);
    }

    /**
     * @param edgeCounters every edge counter (shakes, dispensed, opens_enqueued, ...) summed over the edges, restarts included
     * @param heldOpens opens settlement holds for review now (held minus released or refused; after a restore, opens
     *                  replayed since the checkpoint are counted again, so this can overstate until the review decides)
     */
    record Snapshot(
            long opens,
            long credits,
            long creditedFen,
            long duplicateCredits,
            long rejected,
            Map<RejectReason, Long> rejectsByReason,
            Map<String, Long> creditedFenBySponsor,
            Map<String, Long> edgeCounters,
            long heldOpens,
            long heldFen) {}
}
