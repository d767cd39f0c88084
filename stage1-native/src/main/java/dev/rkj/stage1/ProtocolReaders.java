package dev.rkj.stage1;

import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.stage1.kernel.KernelException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Reads the protocol pipes of every stage1 a launcher started on one thread, with poll(2), instead
 * of a thread per pod: an idle pod costs the engine a file descriptor, not a thread. The thread
 * starts with the first pipe and ends when no pipe has been left for {@link #LINGER_MILLIS} (so
 * pods launched one after another do not each start a thread; after a first and only pipe it ends
 * at once, as a one-shot command's JVM exits later with a thread left in poll); a pipe added meanwhile wakes it
 * through a pipe of its own. A pipe at end of file (or failing) is handed, with the reason, to a pooled
 * thread ({@code ended}), which may block (reaping stage1) without delaying other pods' lines.
 *
 * <p>Lines are delivered on the reading thread, in order for each pipe; a consumer must not block.
 */
final class ProtocolReaders {
    private static final byte[] WAKE = {1};
    /** How long the reading thread waits for a new pipe once none is left before it ends. */
    static final int LINGER_MILLIS = 10_000;

    private final Kernel kernel;
    private final ExecutorService enders = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "rkj-stage1-reaper");
        t.setDaemon(true);
        return t;
    });
    private final java.util.concurrent.atomic.AtomicLong pipes = new java.util.concurrent.atomic.AtomicLong();
    private final Object lock = new Object();
    private final List<Reader> added = new ArrayList<>(); // guarded by lock
    private int[] wake; // guarded by lock: the running thread's wake-up pipe, or null when none runs

    ProtocolReaders(Kernel kernel) {
        this.kernel = kernel;
    }

    /**
     * Reads {@code fd} (now owned here) until end of file, passing each line to {@code lines}; then
     * closes it and calls {@code ended} on another thread with the read error, if any.
     */
    void add(int fd, String name, Consumer<String> lines, Consumer<IOException> ended) throws KernelException {
        pipes.incrementAndGet();
        Reader reader = new Reader(fd, lines, ended);
        synchronized (lock) {
            if (wake != null) {
                added.add(reader);
                try {
                    kernel.write(wake[1], WAKE);
                } catch (KernelException e) {
                    added.remove(reader);
                    throw e;
                }
                return;
            }
            int[] pipe = kernel.pipe2(Kernel.O_CLOEXEC);
            added.add(reader);
            wake = pipe;
            Thread t = new Thread(() -> loop(pipe), "rkj-stage1-protocol (first: " + name + ")");
            t.setDaemon(true);
            t.start();
        }
    }

    private void loop(int[] wakePipe) {
        Map<Integer, Reader> readers = new LinkedHashMap<>();
        byte[] buffer = new byte[4096];
        boolean lingered = false;
        try {
            while (true) {
                synchronized (lock) {
                    added.forEach(r -> readers.put(r.fd, r));
                    added.clear();
                    if (readers.isEmpty() && lingered) {
                        wake = null;
                        closeQuietly(wakePipe[0]);
                        closeQuietly(wakePipe[1]);
                        return;
                    }
                }
                if (readers.isEmpty() && pipes.get() < 2) {
                    lingered = true; // a one-shot command's only pod: end now (a lingering thread delays its exit)
                    continue;
                }
                if (readers.isEmpty()) { // wait a while for the next pod before ending
                    lingered = !kernel.pollIn(wakePipe[0], LINGER_MILLIS);
                    if (!lingered) {
                        kernel.read(wakePipe[0], buffer);
                    }
                    continue;
                }
                lingered = false;
                Reader[] polled = readers.values().toArray(new Reader[0]);
                int[] fds = new int[polled.length + 1];
                fds[0] = wakePipe[0];
                for (int i = 0; i < polled.length; i++) {
                    fds[i + 1] = polled[i].fd;
                }
                boolean[] ready = new boolean[fds.length];
                kernel.pollIn(fds, ready, -1);
                if (ready[0]) {
                    kernel.read(wakePipe[0], buffer);
                }
                for (int i = 0; i < polled.length; i++) {
                    if (!ready[i + 1]) {
                        continue;
                    }
                    Reader r = polled[i];
                    IOException error = null;
                    int n;
                    try {
                        n = kernel.read(r.fd, buffer);
                    } catch (KernelException e) {
                        error = e;
                        n = 0;
                    }
                    if (n > 0) {
                        r.take(buffer, n);
                    } else {
                        readers.remove(r.fd);
                        end(r, error);
                    }
                }
            }
        } catch (KernelException | RuntimeException e) {
            // poll itself failed (or a consumer threw): every pipe ends with it; a new thread takes later ones
            IOException why = e instanceof KernelException k ? k
                    : new IOException("reading stage1's protocol failed: " + e, e);
            List<Reader> all = new ArrayList<>(readers.values());
            synchronized (lock) {
                all.addAll(added);
                added.clear();
                wake = null;
                closeQuietly(wakePipe[0]);
                closeQuietly(wakePipe[1]);
            }
            all.forEach(r -> end(r, why));
        }
    }

    private void end(Reader r, IOException error) {
        closeQuietly(r.fd);
        enders.execute(() -> r.ended.accept(error));
    }

    private void closeQuietly(int fd) {
        try {
            kernel.close(fd);
        } catch (KernelException ignored) {
            // done with it either way
        }
    }

    /** One pipe and its partial line. */
    private static final class Reader {
        final int fd;
        final Consumer<String> lines;
        final Consumer<IOException> ended;
        final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Reader(int fd, Consumer<String> lines, Consumer<IOException> ended) {
            this.fd = fd;
            this.lines = lines;
            this.ended = ended;
        }

        void take(byte[] buffer, int n) {
            for (int i = 0; i < n; i++) {
                if (buffer[i] != '\n') {
                    line.write(buffer[i]);
                    continue;
                }
                lines.accept(line.toString(StandardCharsets.UTF_8));
                line.reset();
            }
        }
    }
}
