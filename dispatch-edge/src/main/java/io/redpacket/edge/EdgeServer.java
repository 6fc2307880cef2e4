package io.redpacket.edge;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
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
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the public port (shake, open, metrics) and the admin port, native epoll when available. {@link #close}
 * stops accepting, lets in-flight answers finish (quiet period) and releases the event loops.
 */
public final class EdgeServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeServer.class);

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel publicChannel;
    private final Channel adminChannel;

    private EdgeServer(EventLoopGroup boss, EventLoopGroup workers, Channel publicChannel, Channel adminChannel) {
        this.boss = boss;
        this.workers = workers;
        this.publicChannel = publicChannel;
        this.adminChannel = adminChannel;
    }

    /**
     * @param admin      null for no admin port
     * @param ioThreads  event loop threads (0: Netty's default, 2 x cores)
     */
    public static EdgeServer start(EdgeService service, String host, int port, AdminService admin, String adminHost, int adminPort,
                                   int ioThreads, boolean trustForwardedFor) throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(ioThreads, io);
        try {
            Channel pub = bootstrap(boss, workers, channelType, new EdgeInitializer(() -> new EdgeHandler(service, trustForwardedFor)))
                    .bind(new InetSocketAddress(host, port)).sync().channel();
            Channel adm = null;
            if (admin != null) {
                adm = bootstrap(boss, workers, channelType, new EdgeInitializer(() -> new AdminHandler(admin)))
                        .bind(new InetSocketAddress(adminHost, adminPort)).sync().channel();
            }
            LOG.info("edge {} listening on {} (admin {}), transport {}", service.settings().edgeId(), pub.localAddress(),
                    adm == null ? "off" : adm.localAddress(), epoll ? "epoll" : "nio");
            return new EdgeServer(boss, workers, pub, adm);
        } catch (InterruptedException | RuntimeException e) {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    private static ServerBootstrap bootstrap(EventLoopGroup boss, EventLoopGroup workers, Class<? extends ServerChannel> type,
                                             EdgeInitializer init) {
        return new ServerBootstrap().group(boss, workers).channel(type)
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
