package io.redpacket.edge.guard;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import io.redpacket.net.TrustedProxies;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * First handler of every connection: what a connection may hold, whatever it sends.
 * <ul>
 *   <li>per client address (IPv6: per /64) at most {@link EdgeLimits#maxConnectionsPerAddress()} connections; more
 *       are closed at once (trusted proxies are exempt: their clients are limited per forwarded address instead);</li>
 *   <li>in total at most {@link EdgeLimits#maxConnections()}: a connection beyond it closes the longest-idle of 32
 *       sampled connections (idle: nothing in flight), or itself if none is idle, so an attacker holding thousands of
 *       silent connections makes room for newcomers instead of locking them out;</li>
 *   <li>timeouts: no first byte within {@code firstByteTimeoutMs}, a request not complete {@code requestTimeoutMs}
 *       after its first byte (slow senders), or idle {@code idleTimeoutMs} with nothing in flight: closed.</li>
 * </ul>
 * One instance per server (sharable); per-connection state in a channel attribute, updated by the HTTP handler
 * through {@link #requestStarted} and {@link #answered}.
 */
@ChannelHandler.Sharable
public final class ConnectionGuard extends ChannelInboundHandlerAdapter {
    private static final AttributeKey<Conn> CONN = AttributeKey.valueOf("redpacket.conn");
    private static final int SAMPLE = 32;

    /** Per-connection bookkeeping; touched only on its channel's event loop, read (lastActive, inFlight) by eviction. */
    static final class Conn {
        final Channel channel;
        final String addressKey;
        final long openedAt;
        volatile long lastActive;
        volatile int inFlight;
        boolean firstByte;
        long partialSince;
        int slot = -1;
        ScheduledFuture<?> timer;

        Conn(Channel channel, String addressKey, long now) {
            this.channel = channel;
            this.addressKey = addressKey;
            this.openedAt = now;
            this.lastActive = now;
        }
    }

    /** Why connections were closed by the guard, for metrics. */
    public final LongAdder refusedPerAddress = new LongAdder();

    public final LongAdder refusedTotal = new LongAdder();
    public final LongAdder evictedIdle = new LongAdder();
    public final LongAdder closedFirstByte = new LongAdder();
    public final LongAdder closedSlowRequest = new LongAdder();
    public final LongAdder closedIdle = new LongAdder();

    private final EdgeLimits limits;
    private final TrustedProxies proxies;
    private final ConcurrentHashMap<String, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final Conn[] table;
    private final AtomicInteger open = new AtomicInteger();
    private int freeHint;

    public ConnectionGuard(EdgeLimits limits, TrustedProxies proxies) {
        this.limits = limits;
        this.proxies = proxies;
        this.table = new Conn[limits.maxConnections()];
    }

    public int openConnections() {
        return open.get();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        Channel ch = ctx.channel();
        long now = System.currentTimeMillis();
        boolean proxy = proxies.trusts(ch.remoteAddress());
        String key = ch.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
                ? TrustedProxies.limitKey(a.getAddress().getHostAddress())
                : "?";
        Conn c = new Conn(ch, proxy ? null : key, now);
        if (c.addressKey != null) {
            int n = perAddress
                    .computeIfAbsent(c.addressKey, k -> new AtomicInteger())
                    .incrementAndGet();
            if (n > limits.maxConnectionsPerAddress()) {
                release(c.addressKey);
                refusedPerAddress.increment();
                ch.close();
                return;
            }
        }
        if (!register(c)) {
            if (c.addressKey != null) {
                release(c.addressKey);
            }
            refusedTotal.increment();
            ch.close();
            return;
        }
        ch.attr(CONN).set(c);
        long period = Math.max(
                100,
                Math.min(
                        1000,
                        Math.min(
                                        limits.firstByteTimeoutMs(),
                                        Math.min(limits.requestTimeoutMs(), limits.idleTimeoutMs()))
                                / 4));
        c.timer = ctx.executor().scheduleAtFixedRate(() -> check(c), period, period, TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    /** Takes a slot; at the cap, evicts the longest-idle sampled connection first. */
    private boolean register(Conn c) {
        for (int attempt = 0; attempt < 2; attempt++) {
            synchronized (table) {
                if (open.get() < table.length) {
                    for (int i = 0; i < table.length; i++) {
                        int at = (freeHint + i) % table.length;
                        if (table[at] == null) {
                            table[at] = c;
                            c.slot = at;
                            freeHint = at + 1;
                            open.incrementAndGet();
                            return true;
                        }
                    }
                }
            }
            if (attempt == 0 && !evictOne()) {
                return false;
            }
        }
        return false;
    }

    private boolean evictOne() {
        Conn victim = null;
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < SAMPLE; i++) {
            Conn c = table[r.nextInt(table.length)];
            if (c != null && c.inFlight == 0 && (victim == null || c.lastActive < victim.lastActive)) {
                victim = c;
            }
        }
        if (victim == null) {
            return false;
        }
        evictedIdle.increment();
        Conn v = victim;
        // Free the slot now (the close runs on the victim's loop later), so this newcomer gets it.
        unregister(v);
        v.channel.close();
        return true;
    }

    private void unregister(Conn c) {
        synchronized (table) {
            if (c.slot >= 0 && table[c.slot] == c) {
                table[c.slot] = null;
                c.slot = -1;
                open.decrementAndGet();
            }
        }
    }

    private void release(String key) {
        perAddress.computeIfPresent(key, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    private void check(Conn c) {
        long now = System.currentTimeMillis();
        if (!c.firstByte) {
            if (now - c.openedAt > limits.firstByteTimeoutMs()) {
                closedFirstByte.increment();
                c.channel.close();
            }
        } else if (c.partialSince > 0) {
            if (now - c.partialSince > limits.requestTimeoutMs()) {
                closedSlowRequest.increment();
                c.channel.close();
            }
        } else if (c.inFlight == 0 && now - c.lastActive > limits.idleTimeoutMs()) {
            closedIdle.increment();
            c.channel.close();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        Conn c = ctx.channel().attr(CONN).get();
        if (c != null && msg instanceof ByteBuf b && b.isReadable()) {
            long now = System.currentTimeMillis();
            c.firstByte = true;
            c.lastActive = now;
            if (c.partialSince == 0) {
                c.partialSince = now;
            }
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        Conn c = ctx.channel().attr(CONN).getAndSet(null);
        if (c != null) {
            if (c.timer != null) {
                c.timer.cancel(false);
            }
            unregister(c);
            if (c.addressKey != null) {
                release(c.addressKey);
            }
        }
        super.channelInactive(ctx);
    }

    /** A whole request was decoded on this connection: it is in flight until answered. */
    public static void requestStarted(Channel ch) {
        Conn c = ch.attr(CONN).get();
        if (c != null) {
            c.partialSince = 0;
            c.inFlight++;
        }
    }

    /** An answer was written. */
    public static void answered(Channel ch) {
        Conn c = ch.attr(CONN).get();
        if (c != null) {
            c.inFlight = Math.max(0, c.inFlight - 1);
            c.lastActive = System.currentTimeMillis();
        }
    }
}
