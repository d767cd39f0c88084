package dev.rkj.api;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * The thin CLI: hands the whole command line to the daemon over its unix socket and relays its
 * output and exit code (the protocol is drawn in {@code dev.rkj.api.http.CliRoute}). Only JDK
 * classes: when the daemon answers, no picocli, Jackson, logback, Vert.x or Chronicle is loaded.
 * Whenever the daemon does not take the command (no socket, nobody listening, another answer than
 * 101, or "not here"), it says so by returning {@link #IN_PROCESS} before anything was printed.
 */
final class ThinClient {
    static final int IN_PROCESS = -1;
    static final String DEFAULT_SOCKET = "/run/rkj/api.sock";
    private static final int MAX_FRAME = 1 << 20;
    private static final String[] SIGNALS = {"INT", "TERM", "HUP"};

    private final SocketChannel channel;
    private final Object[] previousHandlers = new Object[SIGNALS.length];

    private ThinClient(SocketChannel channel) {
        this.channel = channel;
    }

    /** The command's exit code, or {@link #IN_PROCESS}. */
    static int run(String[] args) {
        String off = System.getenv("RKJ_NO_DAEMON");
        if (off != null && !off.isEmpty() && !off.equals("0")) { // asked for, or the native client asked already
            return IN_PROCESS;
        }
        String env = System.getenv("RKJ_SOCKET");
        return run(args, Path.of(env == null || env.isBlank() ? DEFAULT_SOCKET : env));
    }

    static int run(String[] args, Path socket) {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return IN_PROCESS;
        }
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                channel.close();
                return IN_PROCESS; // a socket file left by a daemon that is gone, or not ours to use
            }
        } catch (IOException e) {
            return IN_PROCESS;
        }
        ThinClient client = new ThinClient(channel);
        try (channel) {
            return client.session(args);
        } catch (IOException e) {
            return client.printed ? client.lost(e) : IN_PROCESS;
        } finally {
            client.restoreSignals();
        }
    }

    private boolean printed;

    private int session(String[] args) throws IOException {
        write(("GET /v1/cli HTTP/1.1\r\nHost: rkj\r\nUpgrade: rkj-cli/1\r\nConnection: Upgrade"
                + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel), 65536));
        if (!switched(in)) {
            return IN_PROCESS; // an older daemon, or one that refuses this path
        }
        for (String arg : args) {
            frame('A', arg.getBytes(StandardCharsets.UTF_8));
        }
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            frame('E', (e.getKey() + "=" + e.getValue()).getBytes(StandardCharsets.UTF_8));
        }
        frame('C', System.getProperty("user.dir").getBytes(StandardCharsets.UTF_8));
        frame('T', new byte[] {tty(0), tty(1), tty(2), 0, 0, 0, 0});
        handleSignals();
        frame('G', new byte[0]);
        while (true) {
            byte type;
            try {
                type = in.readByte();
            } catch (EOFException e) {
                return printed ? lost(e) : IN_PROCESS;
            }
            int length = in.readInt();
            if (length < 0 || length > MAX_FRAME) {
                throw new IOException("a frame of " + length + " bytes");
            }
            byte[] payload = new byte[length];
            in.readFully(payload);
            switch (type) {
                case 'O' -> relay(System.out, payload);
                case 'R' -> relay(System.err, payload);
                case 'X' -> {
                    return ByteBuffer.wrap(payload).getInt();
                }
                case 'N' -> {
                    return IN_PROCESS;
                }
                default -> { } // a later daemon's frame this client does not know
            }
        }
    }

    /** Reads the response head: true for 101, after which frames follow. */
    private static boolean switched(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            head.append((char) c);
            if (head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4) {
                return head.indexOf("HTTP/1.1 101 ") == 0;
            }
            if (head.length() > 16384) {
                return false;
            }
        }
        return false;
    }

    private void relay(PrintStream to, byte[] payload) {
        printed = true;
        to.write(payload, 0, payload.length);
        to.flush();
    }

    /** The daemon went away mid-command (it was stopped, or it died): said in one line, exit 254. */
    private int lost(IOException e) {
        System.out.flush();
        System.err.println("rkj: the daemon closed the connection before the command ended (" + e.getMessage()
                + "); what it started runs on: see rkj list");
        return 254;
    }

    private synchronized void frame(char type, byte[] payload) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(5 + payload.length);
        b.put((byte) type).putInt(payload.length).put(payload).flip();
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    private synchronized void write(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    /** Ctrl-C, SIGTERM and a hangup go to the daemon, whose command decides (run stops its pod). */
    @SuppressWarnings("restriction")
    private void handleSignals() {
        for (int i = 0; i < SIGNALS.length; i++) {
            String name = SIGNALS[i];
            try {
                previousHandlers[i] = sun.misc.Signal.handle(new sun.misc.Signal(name), s -> {
                    try {
                        frame('S', name.getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        // the session is over; its end is reported by the reading thread
                    }
                });
            } catch (IllegalArgumentException e) {
                previousHandlers[i] = null; // the JVM keeps this one (e.g. -Xrs)
            }
        }
    }

    /** The JVM's own handlers again, for a command that then runs in-process. */
    @SuppressWarnings("restriction")
    private void restoreSignals() {
        for (int i = 0; i < SIGNALS.length; i++) {
            if (previousHandlers[i] instanceof sun.misc.SignalHandler previous) {
                sun.misc.Signal.handle(new sun.misc.Signal(SIGNALS[i]), previous);
            }
        }
    }

    /** 1 if file descriptor {@code fd} of this process is a terminal. */
    private static byte tty(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return (byte) (target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") ? 1 : 0);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
