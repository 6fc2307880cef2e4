package io.redpacket.edge.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.redpacket.edge.EdgeService;
import io.redpacket.edge.control.AdminService;
import io.redpacket.edge.guard.ConnectionGuard;
import io.redpacket.edge.guard.EdgeLimits;
import io.redpacket.edge.guard.LoadShedder;
import io.redpacket.net.TrustedProxies;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the public port (shake, open, metrics) and the admin port, native epoll when available, each behind its
 * own connection guard; probes every event loop's lag for load shedding. {@link #close} stops accepting, lets
 * in-flight answers finish (quiet period) and releases the event loops.
 */
public final class EdgeServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeServer.class);

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel publicChannel;
    private final Channel adminChannel;
    private final ConnectionGuard guard;

    private EdgeServer(
            EventLoopGroup boss,
            EventLoopGroup workers,
            Channel publicChannel,
            Channel adminChannel,
            ConnectionGuard guard) {
        this.boss = boss;
        this.workers = workers;
        this.publicChannel = publicChannel;
        this.adminChannel = adminChannel;
        this.guard = guard;
    }

    /**
     * @param admin      null for no admin port
     * @param ioThreads  event loop threads (0: Netty's default, 2 x cores)
     */
    public static EdgeServer start(
            EdgeService service,
            EdgeLimits limits,
            TrustedProxies proxies,
            String host,
            int port,
            AdminService admin,
            String adminHost,
            int adminPort,
            int ioThreads)
            throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(ioThreads, io);
        ConnectionGuard guard = new ConnectionGuard(limits, proxies);
        try {
            Channel pub = bootstrap(
                            boss,
                            workers,
                            channelType,
                            new EdgeInitializer(guard, limits, () -> new EdgeHandler(service, proxies, guard)))
                    .bind(new InetSocketAddress(host, port))
                    .sync()
                    .channel();
            Channel adm = null;
            if (admin != null) {
                // Its own small guard: an admin port flood cannot take the public port's connection room.
                ConnectionGuard adminGuard = new ConnectionGuard(limits.withConnections(64, 64), TrustedProxies.none());
                Supplier<ChannelHandler> h = () -> new AdminHandler(admin);
                adm = bootstrap(boss, workers, channelType, new EdgeInitializer(adminGuard, limits, h))
                        .bind(new InetSocketAddress(adminHost, adminPort))
                        .sync()
                        .channel();
            }
            probeLag(workers, service.shedder());
            LOG.info(
                    "edge {} listening on {} (admin {}), transport {}, limits {}, trusted proxies {}",
                    service.settings().edgeId(),
                    pub.localAddress(),
                    adm == null ? "off" : adm.localAddress(),
                    epoll ? "epoll" : "nio",
                    limits,
                    proxies.isEmpty() ? "none" : "set");
            return new EdgeServer(boss, workers, pub, adm, guard);
        } catch (InterruptedException | RuntimeException e) {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** Every event loop reports how late a task due every 20 ms runs; the first loop also turns that into the shed share. */
    private static void probeLag(EventLoopGroup workers, LoadShedder shedder) {
        boolean first = true;
        for (EventExecutor loop : workers) {
            boolean ticks = first;
            first = false;
            long[] due = {System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LoadShedder.PROBE_MS)};
            loop.scheduleAtFixedRate(
                    () -> {
                        long now = System.nanoTime();
                        shedder.observeLag(Math.max(0, TimeUnit.NANOSECONDS.toMillis(now - due[0])));
                        due[0] = now + TimeUnit.MILLISECONDS.toNanos(LoadShedder.PROBE_MS);
                        if (ticks) {
                            shedder.tick();
                        }
                    },
                    LoadShedder.PROBE_MS,
                    LoadShedder.PROBE_MS,
                    TimeUnit.MILLISECONDS);
        }
    }

    private static ServerBootstrap bootstrap(
            EventLoopGroup boss, EventLoopGroup workers, Class<? extends ServerChannel> type, EdgeInitializer init) {
        return new ServerBootstrap()
                .group(boss, workers)
                .channel(type)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .childHandler(init);
    }

    public int port() {
        return ((InetSocketAddress) publicChannel.localAddress()).getPort();
    }

    public int adminPort() {
        return adminChannel == null ? -1 : ((InetSocketAddress) adminChannel.localAddress()).getPort();
    }

    public ConnectionGuard guard() {
        return guard;
    }

    public void awaitClose() throws InterruptedException {
        publicChannel.closeFuture().sync();
    }

    @Override
    public void close() {
        publicChannel.close().syncUninterruptibly();
        if (adminChannel != null) {
            adminChannel.close().syncUninterruptibly();
        }
        boss.shutdownGracefully(100, 5000, TimeUnit.MILLISECONDS).syncUninterruptibly();
        workers.shutdownGracefully(100, 5000, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }
}
