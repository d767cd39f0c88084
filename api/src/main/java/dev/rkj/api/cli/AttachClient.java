package dev.rkj.api.cli;

import dev.rkj.api.http.CliRoute;
import dev.rkj.stage1.kernel.Backoff;
import dev.rkj.stage1.kernel.Kernel;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code rkj run --interactive}'s side of an interactive pod's attach socket ({@code
 * <podDir>/attach}, the protocol is at the top of rkj-stage1.c): the pod's pty output, raw, to
 * the user's terminal; its input as 'd' frames; the window size as a 'w' frame at the start and on
 * each change. The user's terminal is this process's ({@link #local}) or, through the daemon, a
 * thin client's ({@link #remote}, relayed by the client). When its stdin is a terminal it is in raw
 * mode while attached, so Ctrl-C is a byte for the pod's pty (which signals the app), not a signal
 * for rkj; the terminal's settings come back when the app is done, when the pod is stopped, and
 * when rkj is told to end (a shutdown hook in-process; the thin client itself when remote). When
 * stdin is not a terminal, its EOF is sent as the pty's EOF character (Ctrl-D).
 */
final class AttachClient {
    private static final byte DATA = 'd';
    private static final byte WINDOW = 'w';
    private static final int MAX_PAYLOAD = 0xffff;
    private static final byte EOF_CHAR = 4;

    private final UserTerminal user;
    private final SocketChannel channel;

    private AttachClient(UserTerminal user, SocketChannel channel) {
        this.user = user;
        this.channel = channel;
    }

    /** The user's side of an attach: where input, output and window size come from and go. */
    interface UserTerminal {
        /** From now on input is read: raw mode on if stdin is a terminal (then true). */
        boolean raw();

        /** The terminal as {@link #raw} found it; idempotent. */
        void restore();

        InputStream input();

        OutputStream output();

        /** {rows, columns}, or null if there is no terminal. */
        int[] size();

        /** {@code onResize} runs on each window change; null forgets it. */
        void onResize(Runnable onResize);
    }

    /** This process's terminal: stdin, stdout, SIGWINCH, and a shutdown hook that restores the settings. */
    static UserTerminal local(Kernel kernel) {
        return new UserTerminal() {
            private Terminal terminal;
            private Thread hook;
            private SignalHandler winch;

            @Override
            public boolean raw() {
                terminal = Terminal.raw(kernel, Terminal.STDIN);
                if (terminal != null) {
                    Terminal t = terminal;
                    hook = new Thread(t::restore, "rkj-terminal-restore");
                    Runtime.getRuntime().addShutdownHook(hook);
                }
                return terminal != null;
            }

            @Override
            public void restore() {
                if (terminal != null) {
                    terminal.restore();
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException e) {
                        // shutting down: the hook restores
                    }
                }
            }

            @Override
            public InputStream input() {
                return new FileInputStream(FileDescriptor.in);
            }

            @Override
            public OutputStream output() {
                return new FileOutputStream(FileDescriptor.out);
            }

            @Override
            public int[] size() {
                int[] size = Terminal.size(kernel, Terminal.STDIN);
                return size != null ? size : Terminal.size(kernel, Terminal.STDOUT);
            }

            @Override
            public void onResize(Runnable onResize) {
                if (onResize != null) {
                    winch = Signal.handle(new Signal("WINCH"), s -> onResize.run());
                } else if (winch != null) {
                    Signal.handle(new Signal("WINCH"), winch);
                }
            }
        };
    }

    /** A thin client's terminal, relayed through the daemon ({@link CliRoute.ClientTerminal}); output to {@code out} raw. */
    static UserTerminal remote(CliRoute.ClientTerminal client, OutputStream out) {
        return new UserTerminal() {
            @Override
            public boolean raw() {
                client.raw();
                return client.stdinIsTerminal();
            }

            @Override
            public void restore() {
                client.restore();
            }

            @Override
            public InputStream input() {
                return client.stdin();
            }

            @Override
            public OutputStream output() {
                return out;
            }

            @Override
            public int[] size() {
                return client.size();
            }

            @Override
            public void onResize(Runnable onResize) {
                client.onResize(onResize);
            }
        };
    }

    /**
     * Relays this terminal and the pod's pty until the pod closes the socket (its app is done).
     * Returns at once, with nothing relayed, if the pod ended before its socket could be reached.
     *
     * @param user the user's terminal
     * @param socket the pod's attach socket
     * @param podEnded whether the pod has ended (asked while waiting for the socket)
     */
    static void relay(Kernel kernel, UserTerminal user, Path socket, BooleanSupplier podEnded)
            throws IOException, InterruptedException {
        SocketChannel channel = connect(kernel, socket, podEnded);
        if (channel == null) {
            return;
        }
        try (channel) {
            new AttachClient(user, channel).relay();
        }
    }

    /** Waits while the pod starts: the socket is there from before the app starts until it ends. */
    private static SocketChannel connect(Kernel kernel, Path socket, BooleanSupplier podEnded)
            throws IOException, InterruptedException {
        Backoff backoff = Backoff.exponential();
        for (int attempt = 1; ; attempt++) {
            if (Files.exists(socket)) {
                try {
                    return open(kernel, socket);
                } catch (SocketException e) {
                    // a socket of an earlier run, or the app just ended: the pod's status tells
                }
            }
            if (podEnded.getAsBoolean()) {
                return null;
            }
            backoff.pause(attempt);
        }
    }

    /** Connects through /proc/self/fd/N/attach: a pod directory may be longer than sun_path's 108 bytes. */
    private static SocketChannel open(Kernel kernel, Path socket) throws IOException {
        int dir = kernel.open(socket.getParent(), Kernel.O_PATH | Kernel.O_DIRECTORY | Kernel.O_CLOEXEC, 0);
        try {
            return SocketChannel.open(UnixDomainSocketAddress.of("/proc/self/fd/" + dir + "/" + socket.getFileName()));
        } finally {
            kernel.close(dir);
        }
    }

    private void relay() throws IOException {
        boolean raw = user.raw();
        try {
            user.onResize(this::sendWindowSize);
            sendWindowSize();
            Thread input = new Thread(() -> input(raw), "rkj-attach-input");
            input.setDaemon(true); // in-process, blocked in read(stdin) when the app ends: the JVM ends anyway
            input.start();
            output(user.output());
        } finally {
            user.onResize(null);
            user.restore();
        }
    }

    /** The pod's output until it closes the socket. */
    private void output(OutputStream out) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(65536);
        try {
            while (channel.read(buffer.clear()) >= 0) {
                out.write(buffer.array(), 0, buffer.position());
                out.flush();
            }
        } catch (ClosedChannelException | SocketException e) {
            // the pod reset the connection as it ended: every byte it sent was read before
        }
    }

    /** stdin to the pty, until stdin ends or the socket closes. */
    private void input(boolean raw) {
        InputStream in = user.input();
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) > 0; ) {
                send(DATA, buffer, n);
            }
            if (!raw) {
                send(DATA, new byte[] {EOF_CHAR}, 1);
            }
        } catch (IOException e) {
            // the pod is gone (the output side sees it too) or stdin failed: nothing more to send
        }
    }

    private void sendWindowSize() {
        int[] size = user.size();
        if (size == null) {
            return;
        }
        byte[] payload = {(byte) (size[0] >> 8), (byte) size[0], (byte) (size[1] >> 8), (byte) size[1]};
        try {
            send(WINDOW, payload, payload.length);
        } catch (IOException e) {
            // the pod is gone: the output side ends the relay
        }
    }

    /** One frame: type, big-endian length, payload. Whole frames only: input and SIGWINCH share the socket. */
    private synchronized void send(byte type, byte[] payload, int length) throws IOException {
        if (length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("frame payload of " + length + " bytes, at most " + MAX_PAYLOAD);
        }
        ByteBuffer frame = ByteBuffer.allocate(3 + length);
        frame.put(type).putShort((short) length).put(payload, 0, length).flip();
        while (frame.hasRemaining()) {
            channel.write(frame);
        }
    }
}
