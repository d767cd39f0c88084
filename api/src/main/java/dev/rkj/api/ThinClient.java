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
 *
 * <p>It relays its terminal ({@code run --interactive}) as the native client does (rkj-client.c):
 * on the daemon's 'M' "raw", stdin goes into raw mode if it is a terminal (through {@code stty}: the
 * JDK has no termios) and is sent as 'I' frames, the window size as 'W' at once and on SIGWINCH;
 * the settings come back on 'M' "restore" and whenever the session ends.
 */
final class ThinClient {
    static final int IN_PROCESS = -1;
    static final String DEFAULT_SOCKET = "/run/rkj/api.sock";
    private static final int MAX_FRAME = 1 << 20;
    private static final String[] SIGNALS = {"INT", "TERM", "HUP"};
    private static final byte RELAYS_TERMINAL = 1;

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
            client.restoreTerminal();
            client.restoreSignals();
        }
    }

    private boolean printed;
    private volatile boolean reading; // stdin is relayed: between 'M' "raw" and "restore"
    private String savedTerminal; // stty -g before raw mode; null when not raw
    private Thread input;
    private Object previousWinch;

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
        frame('T', new byte[] {tty(0), tty(1), tty(2), 0, 0, 0, 0, RELAYS_TERMINAL}); // the size comes with "raw"
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
                case 'M' -> terminalMode(new String(payload, StandardCharsets.US_ASCII));
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

    /** 'M': the daemon's command reads stdin ("raw") or no longer does ("restore"). */
    @SuppressWarnings("restriction")
    private synchronized void terminalMode(String mode) throws IOException {
        if (mode.equals("raw")) {
            printed = true; // the command runs: never again in-process
            if (savedTerminal == null && tty(0) == 1) {
                savedTerminal = stty("-g");
                if (savedTerminal != null && stty("raw", "-echo") == null) {
                    savedTerminal = null;
                }
            }
            try {
                previousWinch = sun.misc.Signal.handle(new sun.misc.Signal("WINCH"), s -> sendWindowSize());
            } catch (IllegalArgumentException e) {
                previousWinch = null; // no SIGWINCH: the size at the start stays
            }
            sendWindowSize();
            reading = true;
            if (input == null) {
                input = new Thread(this::relayStdin, "rkj-stdin");
                input.setDaemon(true); // blocked in read(stdin) when the session ends: the JVM exits anyway
                input.start();
            }
        } else if (mode.equals("restore")) {
            reading = false;
            restoreTerminal();
        }
    }

    /** stdin as 'I' frames while {@link #reading}; its end as 'i'. */
    private void relayStdin() {
        InputStream in = new java.io.FileInputStream(java.io.FileDescriptor.in);
        byte[] buffer = new byte[16384];
        try {
            for (int n; (n = in.read(buffer)) > 0; ) {
                if (reading) {
                    frame('I', java.util.Arrays.copyOf(buffer, n));
                }
            }
            if (reading) {
                frame('i', new byte[0]);
            }
        } catch (IOException e) {
            // the session is over, or stdin failed: nothing more to send
        }
    }

    private void sendWindowSize() {
        String size = stty("size"); // "ROWS COLUMNS"
        String[] rc = size == null ? new String[0] : size.trim().split("\\s+");
        if (rc.length != 2) {
            return;
        }
        try {
            int rows = Integer.parseInt(rc[0]);
            int columns = Integer.parseInt(rc[1]);
            frame('W', new byte[] {(byte) (columns >> 8), (byte) columns, (byte) (rows >> 8), (byte) rows});
        } catch (NumberFormatException | IOException e) {
            // no size to tell, or the session is over
        }
    }

    /** The terminal as {@link #terminalMode} found it, and SIGWINCH back to the JVM's. */
    @SuppressWarnings("restriction")
    private synchronized void restoreTerminal() {
        if (savedTerminal != null) {
            stty(savedTerminal);
            savedTerminal = null;
        }
        if (previousWinch instanceof sun.misc.SignalHandler previous) {
            sun.misc.Signal.handle(new sun.misc.Signal("WINCH"), previous);
            previousWinch = null;
        }
    }

    /** {@code stty args} on this process's stdin: its output, or null if it failed. */
    private static String stty(String... args) {
        try {
            String[] command = new String[args.length + 1];
            command[0] = "stty";
            System.arraycopy(args, 0, command, 1, args.length);
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return p.waitFor() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
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
