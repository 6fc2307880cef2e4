package io.redpacket.edge;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.util.function.Supplier;

/**
 * The pipeline of both ports: HTTP/1.1 codec, an aggregator with a small cap (a shake or open is a few hundred
 * bytes; anything above 8 KiB is refused with 413 before it costs memory), idle connections closed after two
 * minutes, then the handler.
 */
public final class EdgeInitializer extends ChannelInitializer<SocketChannel> {
    static final int MAX_REQUEST_BYTES = 8 * 1024;
    static final int IDLE_SECONDS = 120;

    private final Supplier<io.netty.channel.ChannelHandler> handler;

    public EdgeInitializer(Supplier<io.netty.channel.ChannelHandler> handler) {
        this.handler = handler;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast(new ReadTimeoutHandler(IDLE_SECONDS));
        p.addLast(new HttpServerCodec(4096, 8192, 8192));
        p.addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES));
        p.addLast(handler.get());
    }
}
