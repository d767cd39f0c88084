package dev.rkj.api.cli;

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
 * this process's stdout; stdin as 'd' frames; the window size as a 'w' frame at the start and on
 * each SIGWINCH. When stdin is a terminal it is in raw mode while attached, so Ctrl-C is a byte
 * for the pod's pty (which signals the app), not a signal for rkj; the terminal's settings come
 * back when the app is done, when the pod is stopped, and when rkj is told to end (a shutdown
 * hook). When stdin is not a terminal, its EOF is sent as the pty's EOF character (Ctrl-D).
 */
final class AttachClient {
    private static final byte DATA = 'd';
    private static final byte WINDOW = 'w';
    private static final int MAX_PAYLOAD = 0xffff;
    private static final byte EOF_CHAR = 4;

    private final Kernel kernel;
    private final SocketChannel channel;

    private AttachClient(Kernel kernel, SocketChannel channel) {
        this.kernel = kernel;
        this.channel = channel;
    }

    /**
     * Relays this terminal and the pod's pty until the pod closes the socket (its app is done).
     * Returns at once, with nothing relayed, if the pod ended before its socket could be reached.
     *
     * @param socket the pod's attach socket
     * @param podEnded whether the pod has ended (asked while waiting for the socket)
     */
    static void relay(Kernel kernel, Path socket, BooleanSupplier podEnded) throws IOException, InterruptedException {
        SocketChannel channel = connect(kernel, socket, podEnded);
        if (channel == null) {
            return;
        }
        try (channel) {
            new AttachClient(kernel, channel).relay();
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
        Terminal terminal = Terminal.raw(kernel, Terminal.STDIN);
        Thread restore = new Thread(() -> {
            if (terminal != null) {
                terminal.restore();
            }
        }, "rkj-terminal-restore");
        Runtime.getRuntime().addShutdownHook(restore);
        SignalHandler winch = null;
        try {
            sendWindowSize();
            winch = Signal.handle(new Signal("WINCH"), s -> sendWindowSize());
            Thread input = new Thread(() -> input(terminal != null), "rkj-attach-input");
            input.setDaemon(true); // blocked in read(stdin) when the app ends: the JVM ends anyway
            input.start();
            output(new FileOutputStream(FileDescriptor.out));
        } finally {
            if (winch != null) {
                Signal.handle(new Signal("WINCH"), winch);
            }
            if (terminal != null) {
                terminal.restore();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(restore);
            } catch (IllegalStateException e) {
                // shutting down: the hook restores
            }
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
        InputStream in = new FileInputStream(FileDescriptor.in);
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
        int[] size = Terminal.size(kernel, Terminal.STDIN);
        if (size == null) {
            size = Terminal.size(kernel, Terminal.STDOUT);
        }
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
