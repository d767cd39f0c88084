package dev.rkj.api.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * {@code GET /v1/cli} with {@code Upgrade: rkj-cli/1}: a whole {@code rkj} command line run inside the daemon, by the same picocli
 * command tree as in-process (the Nailgun pattern), for the thin CLI ({@code dev.rkj.api.Main}).
 * Not a REST resource, so not in the OpenAPI document: served on the unix socket only, ahead of
 * the OpenAPI router (TCP never sees it; its token handler stays first there).
 *
 * <pre>
 * client                                              daemon
 *   GET /v1/cli HTTP/1.1
 *   Host: rkj
 *   Upgrade: rkj-cli/1
 *   Connection: Upgrade
 *   (empty line, no body)        ───▶
 *                                ◀───  HTTP/1.1 101 Switching Protocols
 *                                      upgrade: rkj-cli/1        (any other status: run in-process)
 *   from here on, frames both ways, and nothing else:
 *     [type: 1 byte][length: 4 bytes, big-endian, at most 1 MiB][payload: length bytes]
 *
 *   client → daemon (before 'G', in any order; 'A' in argv order)
 *     'A' one argument (UTF-8)       'E' one environment entry NAME=VALUE (UTF-8)
 *     'C' the working directory      'T' terminals: 3 bytes (stdin, stdout, stderr: 1 = a tty),
 *                                        then columns and rows, 2 bytes BE each (0 = unknown),
 *                                        then (optional) 1 byte of flags: 1 = relays a terminal ('M')
 *     'G' go: run the command (empty payload)
 *   client → daemon (after 'G')
 *     'I' stdin data   'i' stdin EOF   'W' resize (as 'T's columns and rows), sent on SIGWINCH
 *     'S' a signal: "INT", "TERM" or "HUP" (the command stops what it started, as Ctrl-C in-process)
 *   daemon → client
 *     'O' stdout data   'R' stderr data
 *     'M' terminal mode, to a client that relays a terminal (the 'T' flag), for {@code run --interactive}:
 *         "raw"      the command reads stdin: put stdin in raw mode if it is a terminal (Ctrl-C is a byte
 *                    then, not a signal), send it as 'I' frames ('i' at its end) and the window size as 'W'
 *         "restore"  put the terminal back as "raw" found it and stop reading stdin; the client restores it
 *                    on every way out anyway (exit frame, daemon gone, SIGTERM, SIGHUP)
 *     'X' exit: 4 bytes BE, the exit code; the session ends and the daemon closes the socket
 *     'N' not here (UTF-8 reason): nothing was run or printed; the client runs the command in-process
 * </pre>
 *
 * <p>GET, not POST: Vert.x 5 upgrades only a GET (or CONNECT) to a raw socket
 * ({@code HttpServerRequest.toNetSocket()} answers 101 with the response's headers, then hands the
 * connection over), as WebSocket does; the request has no body either way.
 *
 * <p>The client hanging up ends the session: the command's thread is interrupted (a pod it started
 * keeps running, as a pod of a killed in-process {@code rkj run} does). Which commands run here,
 * and for whom, is the runner's rule ({@code Cli}); this class only moves bytes.
 */
public final class CliRoute {
    public static final String PATH = "/v1/cli";
    public static final String PROTOCOL = "rkj-cli/1";
    static final int MAX_FRAME = 1 << 20;

    /** One command line to run, as the client sent it; output goes back as frames. */
    public record Session(List<String> args, Map<String, String> env, Path cwd, long uid, boolean[] terminals,
                          PrintStream out, PrintStream err, Signals signals, ClientTerminal terminal) {
    }

    /**
     * The client's terminal as a command run here sees it ({@code run --interactive}): its stdin, its
     * window size and changes of it, and its raw mode, all relayed by the client ('M', 'I', 'W' frames).
     */
    public interface ClientTerminal {
        /** Whether the client relays its terminal at all (said in its 'T' frame); an older one does not. */
        boolean relayed();

        /** Whether the client's stdin is a terminal: {@link #raw} makes it raw. */
        boolean stdinIsTerminal();

        /**
         * Asks the client for its stdin (raw mode if a terminal) and window changes, until {@link
         * #restore}; what comes is read from {@link #stdin}.
         */
        void raw();

        /** The client's terminal back as it was, its stdin no longer read; {@link #stdin} then ends. Idempotent. */
        void restore();

        /** The client's stdin, from {@link #raw} on: ends at the client's EOF, at {@link #restore}, or when it is gone. */
        InputStream stdin();

        /** The window size as {rows, columns}; null if the client has none. */
        int[] size();

        /**
         * {@code onResize} runs when the window size changes, on the thread reading {@link #stdin}, in
         * order with the input (what is typed after a resize is read after it); null forgets it.
         */
        void onResize(Runnable onResize);
    }

    /** Where a session's signal frames go: the running command registers what to do on one. */
    public static final class Signals {
        private volatile Consumer<String> handler;

        /** {@code onSignal} gets "INT", "TERM" or "HUP"; null forgets it. */
        public void handle(Consumer<String> onSignal) {
            this.handler = onSignal;
        }

        /** Runs the handler on a thread of its own (never the event loop's); false if there is none. */
        boolean deliver(String name) {
            Consumer<String> h = handler;
            if (h == null) {
                return false;
            }
            Thread t = new Thread(() -> h.accept(name), "rkj-cli-signal");
            t.setDaemon(true);
            t.start();
            return true;
        }
    }

    /** Runs a session's command; returns its exit code, or throws {@link NotHere}. */
    @FunctionalInterface
    public interface Runner {
        int run(Session session) throws NotHere;
    }

    /** The command is not for this daemon to run: the client runs it in-process. */
    public static final class NotHere extends Exception {
        public NotHere(String reason) {
            super(reason);
        }
    }

    /** Who is on the other end of the socket: its uid, or -1 if not known. */
    @FunctionalInterface
    public interface PeerCredentials {
        long uid(HttpServerRequest request);

        /** The kernel's answer ({@code SO_PEERCRED}, through {@link Caller}): a client cannot claim another user. */
        PeerCredentials KERNEL = request -> {
            Long uid = Caller.of(request.connection()).uid();
            return uid == null ? -1 : uid;
        };
    }

    private static final AtomicInteger SESSIONS = new AtomicInteger();

    private CliRoute() {}

    /** Puts {@code GET /v1/cli} ahead of every other route of {@code router} (a unix socket's). */
    public static void mount(Router router, Runner runner, PeerCredentials peer) {
        router.route(HttpMethod.GET, PATH).order(Integer.MIN_VALUE).handler(ctx -> upgrade(ctx, runner, peer));
    }

    private static void upgrade(RoutingContext ctx, Runner runner, PeerCredentials peer) {
        HttpServerRequest request = ctx.request();
        if (!PROTOCOL.equalsIgnoreCase(request.getHeader("Upgrade"))) {
            ctx.response().setStatusCode(426).putHeader("Upgrade", PROTOCOL).putHeader("Connection", "Upgrade")
                    .putHeader("Content-Type", "text/plain").end(PATH + " is the thin CLI's: send Upgrade: " + PROTOCOL + "\n");
            return;
        }
        long uid = peer.uid(request);
        ctx.response().putHeader("Upgrade", PROTOCOL).putHeader("Connection", "Upgrade");
        request.toNetSocket().onSuccess(socket -> new Connection(socket, runner, uid).start())
                .onFailure(e -> ctx.fail(500, e));
    }

    /** One upgraded connection: decodes frames on the event loop, runs the command on a thread of its own. */
    private static final class Connection {
        private final NetSocket socket;
        private final Runner runner;
        private final long uid;
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private final Signals signals = new Signals();
        private Path cwd = Path.of("/");
        private boolean[] terminals = new boolean[3];
        private final Terminal terminal = new Terminal();
        private Buffer pending = Buffer.buffer();
        private Thread command;
        private volatile boolean closed;
        private volatile String signalled; // the signal that interrupted a command that had no handler for it

        Connection(NetSocket socket, Runner runner, long uid) {
            this.socket = socket;
            this.runner = runner;
            this.uid = uid;
        }

        void start() {
            socket.handler(this::received);
            socket.closeHandler(v -> {
                closed = true;
                terminal.input(Terminal.GONE);
                Thread t = command;
                if (t != null) {
                    t.interrupt(); // the client is gone: the command ends; a pod it started keeps running
                }
            });
        }

        private void received(Buffer data) {
            pending.appendBuffer(data);
            while (pending.length() >= 5) {
                byte type = pending.getByte(0);
                int length = pending.getInt(1);
                if (length < 0 || length > MAX_FRAME) {
                    socket.close();
                    return;
                }
                if (pending.length() < 5 + length) {
                    return;
                }
                byte[] payload = pending.getBytes(5, 5 + length);
                pending = pending.getBuffer(5 + length, pending.length());
                frame(type, payload);
            }
        }

        private void frame(byte type, byte[] payload) {
            String text = new String(payload, StandardCharsets.UTF_8);
            switch (type) {
                case 'A' -> args.add(text);
                case 'E' -> {
                    int eq = text.indexOf('=');
                    if (eq > 0) {
                        env.put(text.substring(0, eq), text.substring(eq + 1));
                    }
                }
                case 'C' -> cwd = Path.of(text);
                case 'T' -> {
                    for (int i = 0; i < 3 && i < payload.length; i++) {
                        terminals[i] = payload[i] == 1;
                    }
                    terminal.resized(payload, 3);
                    terminal.relayed = payload.length > 7 && (payload[7] & 1) != 0;
                }
                case 'G' -> go();
                case 'S' -> signal(text);
                case 'I' -> terminal.input(payload);
                case 'i' -> terminal.input(null);
                case 'W' -> terminal.resized(payload, 0);
                default -> { } // what a later client sends
            }
        }

        /**
         * A command that registered nothing for signals is interrupted and ends as a process killed
         * by the signal would (128 + its number), printing nothing more: as in-process, where the
         * signal ends the JVM.
         */
        private void signal(String name) {
            if (!signals.deliver(name)) {
                signalled = name;
                Thread t = command;
                if (t != null) {
                    t.interrupt();
                }
            }
        }

        private static int killedBy(String signal) {
            return 128 + switch (signal) {
                case "HUP" -> 1;
                case "INT" -> 2;
                default -> 15;
            };
        }

        private void go() {
            if (command != null) {
                return;
            }
            PrintStream out = new PrintStream(new FrameStream('O'), false, StandardCharsets.UTF_8);
            PrintStream err = new PrintStream(new FrameStream('R'), false, StandardCharsets.UTF_8);
            Session session = new Session(List.copyOf(args), Map.copyOf(env), cwd, uid, terminals.clone(), out, err,
                    signals, terminal);
            command = new Thread(() -> {
                try {
                    int code = runner.run(session);
                    out.flush();
                    err.flush();
                    send('X', Buffer.buffer().appendInt(signalled != null ? killedBy(signalled) : code));
                } catch (NotHere e) {
                    send('N', Buffer.buffer(e.getMessage()));
                } catch (RuntimeException | Error e) { // Cli reports its own failures; this is a bug in the session
                    err.println("rkj: internal error in the daemon: " + (e.getMessage() == null ? "no message" : e.getMessage())
                            + " (run the command with RKJ_NO_DAEMON=1 to run it in-process)");
                    err.flush();
                    send('X', Buffer.buffer().appendInt(254));
                } finally {
                    socket.end();
                }
            }, "rkj-cli-" + SESSIONS.incrementAndGet());
            command.setDaemon(true);
            command.start();
        }

        /**
         * Writes one frame. On the command's thread, waits while the socket's write queue is full
         * (a slow client slows its own command, never fills the daemon's memory), until the client
         * catches up or is gone.
         */
        private void send(char type, Buffer payload) {
            if (closed) {
                return;
            }
            socket.write(Buffer.buffer(5 + payload.length()).appendByte((byte) type).appendInt(payload.length())
                    .appendBuffer(payload));
            if (Thread.currentThread() == command && socket.writeQueueFull()) {
                java.util.concurrent.CountDownLatch drained = new java.util.concurrent.CountDownLatch(1);
                socket.drainHandler(v -> drained.countDown());
                try {
                    while (!closed && socket.writeQueueFull() && !drained.await(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                        // the close handler sets closed; the drain handler counts down
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // the command is being ended: it stops writing soon
                }
            }
        }

        /**
         * The client's terminal: stdin frames queue here until the command reads them (the socket is
         * paused while more than {@link #STDIN_BACKLOG} bytes wait, so a client typing into a command
         * that reads nothing never fills the daemon's memory).
         */
        private final class Terminal implements ClientTerminal {
            private static final int STDIN_BACKLOG = 1 << 20;
            private static final byte[] END = new byte[0];
            private static final byte[] GONE = new byte[0];
            private static final byte[] RESIZED = new byte[0];
            private final BlockingQueue<byte[]> queued = new LinkedBlockingQueue<>();
            private final AtomicLong backlog = new AtomicLong();
            private volatile boolean relayed;
            private volatile int rows;
            private volatile int columns;
            private volatile Runnable onResize;
            private volatile boolean paused;
            private volatile boolean ended; // the client's EOF, restore, or the client gone: stdin ends
            private boolean rawSent;
            private final InputStream stdin = new InputStream() {
                private byte[] current;
                private int at;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (len == 0) {
                        return 0;
                    }
                    while (current == null || at == current.length) {
                        try {
                            current = queued.take();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new InterruptedIOException("the command ended");
                        }
                        at = 0;
                        if (current == RESIZED) {
                            Runnable r = onResize;
                            if (r != null) {
                                r.run();
                            }
                            continue;
                        }
                        if (current == GONE || current == END) { // and stays so for other readers
                            queued.offer(current);
                            if (current == GONE) {
                                throw new IOException("the client is gone");
                            }
                            return -1;
                        }
                        if (backlog.addAndGet(-current.length) < STDIN_BACKLOG / 2 && paused) {
                            paused = false;
                            socket.resume();
                        }
                    }
                    int n = Math.min(len, current.length - at);
                    System.arraycopy(current, at, b, off, n);
                    at += n;
                    return n;
                }
            };

            /**
             * Bytes from the client (on the event loop); null for the end of its stdin, or {@link #GONE}
             * when the client hung up (from anywhere).
             */
            synchronized void input(byte[] bytes) {
                if (ended) {
                    return;
                }
                if (bytes == null || bytes == GONE) {
                    ended = true;
                    queued.offer(bytes == null ? END : GONE);
                    return;
                }
                if (bytes == RESIZED) {
                    queued.offer(bytes);
                    return;
                }
                if (bytes.length == 0) {
                    return;
                }
                queued.offer(bytes);
                if (backlog.addAndGet(bytes.length) > STDIN_BACKLOG && !paused) {
                    paused = true;
                    socket.pause();
                }
            }

            /** On the event loop: columns and rows, 2 bytes BE each, at {@code from} in {@code payload}. */
            void resized(byte[] payload, int from) {
                if (payload.length < from + 4) {
                    return;
                }
                columns = ((payload[from] & 0xff) << 8) | (payload[from + 1] & 0xff);
                rows = ((payload[from + 2] & 0xff) << 8) | (payload[from + 3] & 0xff);
                if (onResize != null) {
                    input(RESIZED);
                }
            }

            @Override
            public boolean relayed() {
                return relayed;
            }

            @Override
            public boolean stdinIsTerminal() {
                return terminals[0];
            }

            @Override
            public synchronized void raw() {
                if (!rawSent) {
                    rawSent = true;
                    send('M', Buffer.buffer("raw"));
                }
            }

            @Override
            public synchronized void restore() {
                if (rawSent) {
                    rawSent = false;
                    send('M', Buffer.buffer("restore"));
                }
                input(null);
            }

            @Override
            public InputStream stdin() {
                return stdin;
            }

            @Override
            public int[] size() {
                int r = rows;
                int c = columns;
                return r == 0 || c == 0 ? null : new int[] {r, c};
            }

            @Override
            public void onResize(Runnable onResize) {
                this.onResize = onResize;
            }
        }

        /** Bytes written by the command, as frames of one type. */
        private final class FrameStream extends OutputStream {
            private final char type;

            FrameStream(char type) {
                this.type = type;
            }

            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (signalled != null) {
                    return; // what an interrupted command says about its interruption
                }
                for (int at = off; at < off + len; at += MAX_FRAME) {
                    send(type, Buffer.buffer().appendBytes(b, at, Math.min(MAX_FRAME, off + len - at)));
                }
            }
        }
    }
}
