package io.redpacket.edge.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.redpacket.edge.guard.ConnectionGuard;
import io.redpacket.edge.guard.EdgeLimits;
import java.util.function.Supplier;

/**
 * The pipeline of both ports: the connection guard (limits and timeouts, see {@link ConnectionGuard}), a strict
 * HTTP/1.1 decoder with small header limits, the framing check, an aggregator with a small body cap that answers
 * in order, then the handler. Every failure becomes a failed request the handler answers after earlier answers.
 */
public final class EdgeInitializer extends ChannelInitializer<SocketChannel> {
    static final int MAX_INITIAL_LINE = 2048;

    private final ConnectionGuard guard;
    private final EdgeLimits limits;
    private final Supplier<ChannelHandler> handler;

    public EdgeInitializer(ConnectionGuard guard, EdgeLimits limits, Supplier<ChannelHandler> handler) {
        this.guard = guard;
        this.limits = limits;
        this.handler = handler;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        if (guard != null) {
            p.addLast(guard);
        }
        addHttp(p, limits);
        p.addLast(handler.get());
    }

    /** The HTTP part of the pipeline (also used by tests on an embedded channel). */
    public static void addHttp(ChannelPipeline p, EdgeLimits limits) {
        p.addLast(new StrictRequestDecoder(MAX_INITIAL_LINE, limits.maxHeaderBytes()));
        p.addLast(new HttpResponseEncoder());
        p.addLast(new FramingGuard());
        p.addLast(new OrderedAggregator(limits.maxBodyBytes()));
    }
}
