package dev.rkj.api.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.InheritedEpollServerDomainSocketChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.spi.transport.Transport;
import java.net.SocketAddress;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Vert.x's epoll transport, except that the first unix server it opens adopts the socket systemd
 * passed ({@link SocketActivation}) instead of binding one, and fails unless it was asked for that
 * socket's path (so the API must be the daemon's first unix server); everything else, TCP
 * included, is epoll's.
 */
final class InheritedSocketTransport implements io.vertx.core.transport.Transport {
    private final Transport epoll = io.vertx.core.transport.Transport.EPOLL.implementation();
    private final SocketActivation.Inherited inherited;
    private final AtomicBoolean adopted = new AtomicBoolean();
    private final Transport implementation = new Transport() {
        @Override
        public boolean supportsDomainSockets() {
            return epoll.supportsDomainSockets();
        }

        @Override
        public boolean supportFileRegion() {
            return epoll.supportFileRegion();
        }

        @Override
        public boolean isAvailable() {
            return epoll.isAvailable();
        }

        @Override
        public Throwable unavailabilityCause() {
            return epoll.unavailabilityCause();
        }

        @Override
        public SocketAddress convert(io.vertx.core.net.SocketAddress address) {
            return epoll.convert(address);
        }

        @Override
        public io.vertx.core.net.SocketAddress convert(SocketAddress address) {
            return epoll.convert(address);
        }

        @Override
        public IoHandlerFactory ioHandlerFactory() {
            return epoll.ioHandlerFactory();
        }

        @Override
        public EventLoopGroup eventLoopGroup(int type, int threads, ThreadFactory factory, int ioRatio) {
            return epoll.eventLoopGroup(type, threads, factory, ioRatio);
        }

        @Override
        public DatagramChannel datagramChannel() {
            return epoll.datagramChannel();
        }

        @Override
        public DatagramChannel datagramChannel(InternetProtocolFamily family) {
            return epoll.datagramChannel(family);
        }

        @Override
        public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
            return epoll.channelFactory(domainSocket);
        }

        @Override
        public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
            if (domainSocket && adopted.compareAndSet(false, true)) {
                return () -> new InheritedEpollServerDomainSocketChannel(inherited.fd(), inherited.path().toString());
            }
            return epoll.serverChannelFactory(domainSocket);
        }

        @Override
        public void configure(DatagramChannel channel, DatagramSocketOptions options) {
            epoll.configure(channel, options);
        }

        @Override
        public void configure(ClientOptionsBase options, int connectTimeout, boolean domainSocket, Bootstrap bootstrap) {
            epoll.configure(options, connectTimeout, domainSocket, bootstrap);
        }

        @Override
        public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
            epoll.configure(options, domainSocket, bootstrap);
        }
    };

    InheritedSocketTransport(SocketActivation.Inherited inherited) {
        this.inherited = inherited;
    }

    @Override
    public String name() {
        return "epoll";
    }

    @Override
    public boolean available() {
        return io.vertx.core.transport.Transport.EPOLL.available();
    }

    @Override
    public Throwable unavailabilityCause() {
        return io.vertx.core.transport.Transport.EPOLL.unavailabilityCause();
    }

    @Override
    public Transport implementation() {
        return implementation;
    }
}
