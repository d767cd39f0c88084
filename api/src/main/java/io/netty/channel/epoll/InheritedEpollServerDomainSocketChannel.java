package io.netty.channel.epoll;

import io.netty.channel.Channel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.ServerDomainSocketChannel;
import io.netty.channel.unix.Socket;
import java.net.BindException;
import java.net.SocketAddress;

/**
 * Netty's epoll unix server channel on a socket that is already bound and listening, inherited from
 * systemd (socket activation): "binding" it adopts the socket as it is, and closing it leaves the
 * socket file to systemd. Connections it accepts are Netty's own {@link EpollDomainSocketChannel},
 * so {@code SO_PEERCRED} works as on a socket rkj binds. In Netty's package because its channel
 * config's constructor is package-private; otherwise {@link EpollServerDomainSocketChannel} (final).
 */
public final class InheritedEpollServerDomainSocketChannel extends AbstractEpollServerChannel
        implements ServerDomainSocketChannel {
    private final EpollServerChannelConfig config = new EpollServerChannelConfig(this);
    private final DomainSocketAddress local;

    /** @param fd a listening, non-blocking AF_UNIX stream socket bound at {@code path} */
    public InheritedEpollServerDomainSocketChannel(int fd, String path) {
        super(new LinuxSocket(fd), false);
        this.local = new DomainSocketAddress(path);
    }

    @Override
    protected Channel newChildChannel(int fd, byte[] address, int offset, int len) {
        return new EpollDomainSocketChannel(this, new Socket(fd));
    }

    @Override
    protected void doBind(SocketAddress address) throws BindException { // systemd bound it and listens on it already
        if (!(address instanceof DomainSocketAddress unix) || !unix.path().equals(local.path())) {
            throw new BindException("cannot listen on " + address + ": this server's socket is the one systemd passed, "
                    + local.path());
        }
        active = true;
        submitCurrentOps();
    }

    @Override
    protected DomainSocketAddress localAddress0() {
        return local;
    }

    @Override
    public EpollServerChannelConfig config() {
        return config;
    }

    @Override
    public DomainSocketAddress remoteAddress() {
        return (DomainSocketAddress) super.remoteAddress();
    }

    @Override
    public DomainSocketAddress localAddress() {
        return (DomainSocketAddress) super.localAddress();
    }
}
