package io.redpacket.edge;

import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.OpenEvent;
import io.redpacket.edge.dispense.Campaign;
import io.redpacket.edge.dispense.DispenseQuota;
import io.redpacket.edge.dispense.Dispenser;
import io.redpacket.edge.guard.EdgeLimits;
import io.redpacket.edge.guard.LoadShedder;
import io.redpacket.edge.guard.RateLimiter;
import io.redpacket.edge.kafka.OpenSink;
import io.redpacket.edge.metrics.EdgeMetrics;
import io.redpacket.edge.state.ClientState;
import io.redpacket.edge.state.KeyedHash;
import io.redpacket.edge.state.OpenedMemory;
import io.redpacket.edge.state.SessionCache;
import io.redpacket.edge.state.StateCodec;
import io.redpacket.edge.state.UserStateCache;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.envelope.EnvelopeRecord;
import io.redpacket.envelope.OpenedTicket;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.keys.KeyRing;
import io.redpacket.open.OpenVerdict;
import io.redpacket.open.OpenVerifier;
import io.redpacket.session.SessionVerifier;
import io.redpacket.session.VerifiedSession;
import io.redpacket.token.TokenSigner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's rules, with no Netty type: decides each shake (session, rate limits, load, caps, quota, time axis,
 * dispensing) and each open (session, local verification, durable enqueue). Answers from local files and memory
 * only; the only remote call is the Kafka send of a verified open, and it is asynchronous. Who the user is comes
 * from the session credential alone (verified locally, see {@link SessionVerifier}), never from a request field.
 * Thread-safe: called from every event loop.
 */
public final class EdgeService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeService.class);
    /** Retry-after of an overloaded edge: long enough for in-flight opens to drain. */
    static final long SHED_RETRY_MS = 1000;
    /** Records of a blacklisted key drawn in one shake before giving up on this shake (cheap: no signature). */
    static final int MAX_BLACKLISTED_SKIPS = 256;
    /**
     * Credentials remembered as authentic (see {@link SessionCache}): room for the users of an edge at the server's pace
     * of one shake a second (~100,000 shakes/s), ~45 MB when full.
     */
    static final int SESSION_CACHE_ENTRIES = 1 << 17;

    private final EdgeSettings settings;
    private final Campaign campaign;
    private final Dispenser dispenser;
    private final DispenseQuota quota;
    private final StateCodec stateCodec;
    private final UserStateCache winners;
    private final ThreadLocal<TokenSigner> signers;
    private final ThreadLocal<OpenVerifier> verifiers;
    private final SessionCache sessions;
    private final ThreadLocal<byte[]> recordBuffers =
            ThreadLocal.withInitial(() -> new byte[EnvelopeLayout.RECORD_BYTES]);
    private final KeyBlacklist blacklist;
    private final OpenSink sink;
    private final EdgeMetrics metrics;
    private final EdgeClock clock;
    private final RateLimiter perAddress;
    private final RateLimiter perUser;
    /** Keys the winner memory and the rate buckets: a user id is hashed once per request. */
    private final KeyedHash hash;

    private final LoadShedder shedder;
    private final AtomicInteger inFlightOpens = new AtomicInteger();
    private final OpenedMemory opened = new OpenedMemory(1 << 18);
    private final AtomicLong eventSeq = new AtomicLong();
    private final AtomicLong controlOffset = new AtomicLong();
    private final String eventPrefix;
    private volatile boolean paused;

    /**
     * @param ring         the token key (shake role) plus, for the open role, the whitelisted ticket keys
     * @param sessionRing  the session keys (verification by key id)
     * @param sink         where verified opens go; null for a shake-only edge
     */
    public EdgeService(
            EdgeSettings settings,
            EdgeLimits limits,
            Campaign campaign,
            Dispenser dispenser,
            KeyRing ring,
            KeyRing sessionRing,
            KeyBlacklist blacklist,
            OpenSink sink,
            EdgeMetrics metrics,
            EdgeClock clock) {
        if (settings.openRole() && (sink == null || ring.size() == 0)) {
            throw new IllegalArgumentException("the open role needs ticket keys and a sink; ring: " + ring);
        }
        this.settings = settings;
        this.campaign = campaign;
        this.dispenser = dispenser;
        this.quota = new DispenseQuota(settings.dispensePerSecond());
        this.stateCodec = new StateCodec(ring);
        this.hash = KeyedHash.random();
        this.winners = new UserStateCache(settings.userCacheSize(), hash);
        this.signers = ThreadLocal.withInitial(() -> new TokenSigner(ring));
        this.verifiers = settings.openRole()
                ? ThreadLocal.withInitial(
                        () -> new OpenVerifier(ring, blacklist, campaign.batches(), settings.maxTokenAgeMs()))
                : null;
        this.sessions = new SessionCache(
                sessionRing, SESSION_CACHE_ENTRIES, hash, metrics.sessionsRemembered, metrics.sessionsVerified);
        this.blacklist = blacklist;
        this.sink = sink;
        this.metrics = metrics;
        this.clock = clock;
        this.perAddress = new RateLimiter(1 << 16, limits.addressPerSecond(), limits.addressBurst(), hash);
        this.perUser = new RateLimiter(1 << 18, limits.userPerSecond(), limits.userBurst(), hash);
        this.shedder = new LoadShedder(limits.shedLagMs());
        // Unique per process start (wall clock, not the campaign clock, plus randomness): ids never repeat across
        // restarts.
        this.eventPrefix = "e" + settings.edgeId() + "-" + Long.toString(System.currentTimeMillis(), 36)
                + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 25), 36) + "-";
    }

    /**
     * Any request on the public port, before it costs anything: 0 when the client's address may go ahead, else the
     * ms until it may (answer 429 with that retry-after). {@code addressKey}: see {@code TrustedProxies.limitKey}.
     */
    public long admitAddress(String addressKey) {
        long wait = perAddress.acquire(addressKey, clock.nowMs());
        if (wait > 0) {
            metrics.rateLimitedAddress.increment();
        }
        return wait;
    }

    public ShakeResult shake(String session, String device, String stateBlob) {
        long now = clock.nowMs();
        metrics.shakes.increment();
        if (!settings.shakeRole()) {
            return ShakeResult.notHere("this edge does not serve shakes");
        }
        VerifiedSession who = sessions.verify(session, device, now);
        if (!who.isValid()) {
            metrics.unauthenticated(who.reason());
            return ShakeResult.unauthenticated(who.reason().name());
        }
        String userId = who.userId();
        long userHash = hash.hash(userId);
        long allowance = perUser.take(userHash, now);
        if (allowance < 0) {
            metrics.rateLimitedUser.increment();
            return ShakeResult.slowDown(429, Math.max(-allowance, settings.shakeIntervalMs()), "too many shakes");
        }
        if (inFlightOpens.get() >= settings.shedShakesAbove()) {
            metrics.shedShakes.increment();
            return ShakeResult.slowDown(
                    503, SHED_RETRY_MS + ThreadLocalRandom.current().nextLong(SHED_RETRY_MS), "overloaded");
        }
        if (shedder.shed(allowance)) {
            metrics.shedLoad.increment();
            return ShakeResult.slowDown(
                    503, SHED_RETRY_MS + ThreadLocalRandom.current().nextLong(SHED_RETRY_MS), "overloaded");
        }
        ClientState fromClient = stateCodec.decode(userId, stateBlob);
        if (fromClient == null) {
            metrics.stateTampered.increment();
            return ShakeResult.nothing(null, settings.shakeIntervalMs(), "state not authentic");
        }
        ClientState state = fromClient.merge(winners.get(userHash));
        if (state.capped()) {
            metrics.capped.increment();
            return ShakeResult.capped(stateCodec.encode(userId, state), 60_000);
        }
        if (paused) {
            metrics.nothing.increment();
            return ShakeResult.nothing(stateBlob, settings.shakeIntervalMs(), "paused");
        }
        if (dispenser.schedule().slotAt(now) < 0) {
            metrics.nothing.increment();
            long untilNext = dispenser.schedule().msUntilNextSlot(now);
            return ShakeResult.nothing(
                    stateBlob,
                    untilNext < 0 ? 60_000 : Math.max(settings.shakeIntervalMs(), Math.min(untilNext, 60_000)),
                    "no slot running");
        }
        if (!quota.tryAcquire(now)) {
            metrics.slowDownQuota.increment();
            return ShakeResult.slowDown(
                    200,
                    DispenseQuota.msUntilNextBucket(now)
                            + ThreadLocalRandom.current().nextLong(DispenseQuota.BUCKET_MS),
                    "dispense quota");
        }
        return draw(userId, userHash, state, stateBlob, now);
    }

    /**
     * Draws until a record the user may take turns up: sealed with a key that is not blacklisted (those are skipped:
     * their envelopes could never be opened) and of a sponsor the user has not won yet (those go back for the next
     * user). A few tries, then nothing.
     */
    private ShakeResult draw(String userId, long userHash, ClientState state, String stateBlob, long now) {
        byte[] rec = recordBuffers.get();
        int skipped = 0;
        for (int attempt = 0; attempt < 4; attempt++) {
            int slot;
            try {
                slot = dispenser.next(now, rec, attempt == 0);
            } catch (UncheckedIOException e) {
                // The cursor could not be made durable: dispensing now could repeat an envelope after a crash.
                LOG.error("edge {}: cannot reserve envelopes: {}", settings.edgeId(), e.getMessage());
                metrics.finalSystemFailures.increment();
                quota.release(now);
                return ShakeResult.slowDown(503, SHED_RETRY_MS, "dispensing unavailable");
            }
            if (slot < 0) {
                break;
            }
            if (blacklist.isBlocked(EnvelopeRecord.keyId(rec, 0))) {
                metrics.blacklistSkipped.increment();
                if (++skipped < MAX_BLACKLISTED_SKIPS) {
                    attempt--;
                }
                continue;
            }
            int batchId = EnvelopeRecord.batchId(rec, 0);
            int sponsor = campaign.sponsorIndex(batchId);
            if (sponsor < 0) {
                metrics.refunded.increment();
                continue;
            }
            if (state.hasSponsor(sponsor)) {
                dispenser.giveBack(slot, rec);
                continue;
            }
            ClientState next = state.with(sponsor);
            winners.put(userHash, next);
            String token = signers.get().sign(rec, 0, userId, now, settings.edgeId());
            metrics.dispensed.increment();
            BatchConfig b = campaign.batch(batchId);
            return ShakeResult.envelope(
                    token,
                    b.getSponsorId(),
                    b.getSponsorName(),
                    b.getType().name(),
                    stateCodec.encode(userId, next),
                    settings.shakeIntervalMs());
        }
        quota.release(now);
        metrics.nothing.increment();
        return ShakeResult.nothing(stateBlob, settings.shakeIntervalMs(), "no envelope this time");
    }

    /** Verifies locally, enqueues durably, then answers the amount. Never blocks; completes on Kafka's thread. */
    public CompletableFuture<OpenResult> open(
            String session, String device, String token, String ip, String clientVersion) {
        long now = clock.nowMs();
        metrics.opens.increment();
        if (!settings.openRole()) {
            return CompletableFuture.completedFuture(OpenResult.notHere("this edge does not serve opens"));
        }
        VerifiedSession who = sessions.verify(session, device, now);
        if (!who.isValid()) {
            metrics.unauthenticated(who.reason());
            return CompletableFuture.completedFuture(
                    OpenResult.unauthenticated(who.reason().name()));
        }
        if (token == null) {
            metrics.badRequests.increment();
            return CompletableFuture.completedFuture(OpenResult.badRequest("token: required"));
        }
        String userId = who.userId();
        long wait = perUser.acquire(hash.hash(userId), now);
        if (wait > 0) {
            metrics.rateLimitedUser.increment();
            return CompletableFuture.completedFuture(OpenResult.retry(429, wait, "too many requests"));
        }
        if (inFlightOpens.incrementAndGet() > settings.maxInFlightOpens()) {
            inFlightOpens.decrementAndGet();
            metrics.shedOpens.increment();
            return CompletableFuture.completedFuture(OpenResult.retry(503, SHED_RETRY_MS, "overloaded"));
        }
        OpenVerdict v = verifiers.get().verify(token, userId, now);
        if (!v.isValid()) {
            inFlightOpens.decrementAndGet();
            metrics.reject(v.reason());
            return CompletableFuture.completedFuture(
                    OpenResult.rejected(v.reason().name()));
        }
        OpenedTicket t = v.ticket();
        if (opened.contains(t.envelopeId())) {
            // The same user presenting the same token again (a retry, or a replay): already durably enqueued here.
            inFlightOpens.decrementAndGet();
            metrics.opensReplayed.increment();
            return CompletableFuture.completedFuture(OpenResult.opened(
                    t.envelopeId(),
                    t.amountFen(),
                    v.batch() == null ? null : v.batch().getSponsorId()));
        }
        OpenEvent event = OpenEvent.newBuilder()
                .setEventId(eventPrefix + eventSeq.incrementAndGet())
                .setToken(token)
                .setUserId(userId)
                .setDeviceId(who.deviceId())
                .setIp(ip == null ? "" : ip)
                .setClientVersion(clientVersion == null ? "" : clientVersion)
                .setEdgeId(settings.edgeId())
                .setShakeTimeMs(v.shakeTimeMs())
                .setOpenTimeMs(now)
                .setEnvelopeId(t.envelopeId())
                .setAmountFen(t.amountFen())
                .setBatchId(t.batchId())
                .setKeyId(t.keyId())
                .build();
        byte[] value;
        try {
            ByteBuffer bb = event.toByteBuffer();
            value = new byte[bb.remaining()];
            bb.get(value);
        } catch (IOException e) {
            inFlightOpens.decrementAndGet();
            throw new UncheckedIOException("cannot encode open event", e);
        }
        String sponsorId = v.batch() == null ? null : v.batch().getSponsorId();
        return sink.publish(Long.toString(t.envelopeId()), value).handle((ok, ex) -> {
            inFlightOpens.decrementAndGet();
            if (ex == null) {
                opened.add(t.envelopeId());
                metrics.opensAccepted.increment();
                return OpenResult.opened(t.envelopeId(), t.amountFen(), sponsorId);
            }
            metrics.finalSystemFailures.increment();
            LOG.warn("edge {}: open of envelope {} not enqueued: {}", settings.edgeId(), t.envelopeId(), ex.toString());
            return OpenResult.retry(503, SHED_RETRY_MS, "not enqueued, retry");
        });
    }

    public String metricsText(io.redpacket.edge.guard.ConnectionGuard guard) {
        return metrics.render(settings.edgeId(), dispenser, guard, gauges(guard == null ? 0 : guard.openConnections()));
    }

    public String metricsText() {
        return metricsText(null);
    }

    public EdgeMetrics.Gauges gauges(int connections) {
        return new EdgeMetrics.Gauges(
                quota.rate(), inFlightOpens.get(), controlOffset.get(), connections, shedder.shedPermille(), paused);
    }

    public int inFlightOpens() {
        return inFlightOpens.get();
    }

    public LoadShedder shedder() {
        return shedder;
    }

    // Operator switches (control topic, see control.Switches; the admin port for local diagnostics).

    public void setPaused(boolean paused) {
        this.paused = paused;
    }

    public boolean paused() {
        return paused;
    }

    public void setRate(long perSecond) {
        quota.setRate(perSecond);
    }

    public long rate() {
        return quota.rate();
    }

    public void blacklistKey(int keyId) {
        blacklist.block(keyId);
    }

    public void unblacklistKey(int keyId) {
        blacklist.unblock(keyId);
    }

    public KeyBlacklist blacklist() {
        return blacklist;
    }

    /** Every control topic command below this offset is applied (the edge's acknowledgement). */
    public long controlOffset() {
        return controlOffset.get();
    }

    public void controlApplied(long nextOffset) {
        controlOffset.set(nextOffset);
    }

    public Dispenser dispenser() {
        return dispenser;
    }

    public EdgeMetrics metrics() {
        return metrics;
    }

    public EdgeSettings settings() {
        return settings;
    }

    public EdgeClock clock() {
        return clock;
    }

    @Override
    public void close() {
        if (sink != null) {
            sink.close();
        }
    }
}
