package dev.rkj.bench;

import dev.rkj.eventlog.ChronicleJournal;
import dev.rkj.eventlog.EventRegistry;
import dev.rkj.eventlog.Journal;
import dev.rkj.eventlog.JournalException;
import dev.rkj.eventlog.Json;
import dev.rkj.eventlog.Tail;
import dev.rkj.eventlog.WireName;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The journal benchmark: each figure of {@link ChronicleJournal} beside a raw Chronicle Queue
 * baseline measured in the same run, on the same bytes (the event's JSON payload) without
 * envelope, hash chain or JSON encoding/decoding.
 *
 * <ul>
 *   <li>append throughput: one thread appending, one event a call ({@link Journal#append}) and
 *       {@value #BATCH} a call ({@link Journal#appendAll}, what a command that records several
 *       events does); baseline: raw appends of the payload bytes, one a call;
 *   <li>append-to-tailer latency, in-process and across processes (a child JVM appends, this one
 *       tails), one event every ~{@value #PACE_MICROS} µs so the tailer is idle when it comes;
 *       baseline: a raw tailer with the same idle policy (spin, yield, park up to 1 ms), which has
 *       no wake-up from the appender. Journal and baseline rounds alternate, so both see the same
 *       machine;
 *   <li>replay and verify throughput over the whole journal ({@code --events}, default 1M);
 *       baseline: a raw tailer copying each excerpt's bytes.
 * </ul>
 * Figures are medians over {@code --rounds} rounds (after one warm-up round); ratios are
 * journal / baseline. Usage: {@code JournalBench [--events N] [--rounds R] [--samples S] [--dir DIR]}.
 */
public final class JournalBench {
    static final long PACE_MICROS = 250;
    /** Events a call in the batched append row: about what one pod command records at once. */
    static final int BATCH = 10;
    private static final String CHILD = "--child-append";

    /** The benchmark's event: about the size and shape of a pod lifecycle event. */
    @WireName(value = "bench.app-started", version = 1)
    public record AppStarted(String podId, String app, long sentNanos, int pid, String image) {}

    private static final EventRegistry REGISTRY = EventRegistry.of(AppStarted.class);
    private static final String POD = "8c0e1d3a-5f7b-4a2e-9c61-2d4b7e90a1f3";
    private static final String IMAGE = "sha512-4f2a9b7c0d1e3f5a6b8c9d0e1f2a3b4c";

    private final int events;
    private final int rounds;
    private final int samples;
    private final Path work;
    private final PrintStream out;

    private JournalBench(int events, int rounds, int samples, Path work, PrintStream out) {
        this.events = events;
        this.rounds = rounds;
        this.samples = samples;
        this.work = work;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        quietLogging();
        if (args.length > 0 && args[0].equals(CHILD)) {
            childAppend(args);
            return;
        }
        int events = 1_000_000;
        int rounds = 5;
        int samples = 2_000;
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--events" -> events = positive("--events", value);
                case "--rounds" -> rounds = positive("--rounds", value);
                case "--samples" -> samples = positive("--samples", value);
                case "--dir" -> dir = Path.of(required("--dir", value));
                case "-h", "--help" -> {
                    System.out.println("usage: JournalBench [--events N (1000000)] [--rounds R (5)] [--samples S (2000)]"
                            + " [--dir DIR (a temp dir, removed after)]");
                    return;
                }
                default -> {
                    System.err.println("JournalBench: unknown argument '" + args[i] + "'; try --help");
                    System.exit(2);
                }
            }
            i++;
        }
        Path work = dir == null ? Files.createTempDirectory("rkj-journal-bench") : Files.createDirectories(dir);
        try {
            new JournalBench(events, rounds, samples, work, System.out).run();
        } finally {
            if (dir == null) {
                deleteTree(work);
            }
        }
    }

    /**
     * Keeps Chronicle's log lines (slf4j, to whatever binding is on the classpath) off stdout, which
     * carries the table and the child protocol. {@code -Dslf4j.provider=...} on the command line wins.
     */
    private static void quietLogging() {
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
        }
    }

    private static int positive(String flag, String value) {
        try {
            int n = Integer.parseInt(required(flag, value).replace("_", ""));
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        System.err.println("JournalBench: " + flag + " needs a positive whole number, got '" + value + "'");
        System.exit(2);
        return 0;
    }

    private static String required(String flag, String value) {
        if (value == null) {
            System.err.println("JournalBench: " + flag + " needs a value");
            System.exit(2);
        }
        return value;
    }

    private void run() throws Exception {
        out.printf(Locale.ROOT, "rkj journal bench: %,d events, %d rounds (+1 warm-up), %,d latency samples a round,"
                + " %d cores, in %s%n", events, rounds, samples, Runtime.getRuntime().availableProcessors(), work);
        List<Row> rows = new ArrayList<>();
        Path journalDir = work.resolve("journal");
        Path rawDir = work.resolve("raw");

        // Append throughput: the rounds together write the data set that replay reads afterwards.
        int perRound = Math.max(1, events / rounds);
        byte[] payload = Json.mapper().writeValueAsBytes(event(0, 0));
        double[] journalAppend = new double[rounds];
        double[] batchAppend = new double[rounds];
        double[] rawAppend = new double[rounds];
        try (ChronicleJournal journal = ChronicleJournal.open(journalDir, REGISTRY);
             ChronicleJournal batches = ChronicleJournal.open(work.resolve("journal-batches"), REGISTRY);
             SingleChronicleQueue raw = rawQueue(rawDir);
             ExcerptAppender appender = raw.createAppender()) {
            warmUpAppends(work.resolve("warm-up"), payload);
            for (int r = 0; r < rounds; r++) {
                int count = r == rounds - 1 ? events - perRound * (rounds - 1) : perRound;
                journalAppend[r] = perSecond(count, () -> appendJournal(journal, count));
                batchAppend[r] = perSecond(count, () -> appendBatches(batches, count));
                rawAppend[r] = perSecond(count, () -> appendRaw(appender, payload, count));
            }
        }
        deleteTree(work.resolve("journal-batches"));
        rows.add(Row.throughput("append throughput (events/s)", median(journalAppend), median(rawAppend)));
        rows.add(Row.throughput("append, " + BATCH + " a call (events/s)", median(batchAppend), median(rawAppend)));

        // In-process latency: this thread appends, a tail in this JVM receives.
        Latency inJournal = new Latency();
        Latency inRaw = new Latency();
        try (ChronicleJournal journal = ChronicleJournal.open(work.resolve("latency"), REGISTRY);
             SingleChronicleQueue raw = rawQueue(work.resolve("latency-raw"));
             ExcerptAppender appender = raw.createAppender()) {
            for (int r = -1; r < rounds; r++) {
                long[] j = inProcessJournal(journal);
                long[] b = inProcessRaw(raw, appender, payload);
                if (r >= 0) {
                    inJournal.add(j);
                    inRaw.add(b);
                }
            }
        }
        rows.add(Row.latency("in-process append->tail p50 (µs)", inJournal.p(50), inRaw.p(50)));
        rows.add(Row.latency("in-process append->tail p99 (µs)", inJournal.p(99), inRaw.p(99)));

        // Cross-process latency: a child JVM appends, a tail in this JVM receives.
        Latency crossJournal = new Latency();
        Latency crossRaw = new Latency();
        crossProcess(work.resolve("cross"), crossJournal, work.resolve("cross-raw"), crossRaw);
        rows.add(Row.latency("cross-process append->tail p50 (µs)", crossJournal.p(50), crossRaw.p(50)));
        rows.add(Row.latency("cross-process append->tail p99 (µs)", crossJournal.p(99), crossRaw.p(99)));

        // Replay and verify over everything appended above.
        double[] replay = new double[rounds];
        double[] verify = new double[rounds];
        double[] rawRead = new double[rounds];
        try (ChronicleJournal journal = ChronicleJournal.open(journalDir, REGISTRY);
             SingleChronicleQueue raw = rawQueue(rawDir)) {
            long total = journal.nextIndex();
            if (total != events) {
                throw new IllegalStateException("the journal holds " + total + " events, expected " + events);
            }
            for (int r = -1; r < rounds; r++) {
                double j = perSecond(events, () -> replayJournal(journal));
                double v = perSecond(events, () -> verifyJournal(journal));
                double b = perSecond(events, () -> readRaw(raw));
                if (r >= 0) {
                    replay[r] = j;
                    verify[r] = v;
                    rawRead[r] = b;
                }
            }
        }
        String scale = events % 1_000_000 == 0 ? events / 1_000_000 + "M" : String.format(Locale.ROOT, "%,d", events);
        rows.add(Row.throughput("replay " + scale + " (events/s)", median(replay), median(rawRead)));
        rows.add(Row.throughput("verify " + scale + " (events/s)", median(verify), median(rawRead)));

        print(rows);
    }

    // ---- appends

    private static AppStarted event(long sentNanos, int i) {
        return new AppStarted(POD, "web", sentNanos, i, IMAGE);
    }

    private static void appendJournal(Journal journal, int count) {
        try {
            for (int i = 0; i < count; i++) {
                journal.append(POD, event(0, i));
            }
        } catch (JournalException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Appends in calls of {@link #BATCH} events ({@link Journal#appendAll}), as a command that
     * records several events of one pod at once does.
     */
    private static void appendBatches(Journal journal, int count) {
        try {
            List<AppStarted> batch = new ArrayList<>(BATCH);
            for (int i = 0; i < count; i += BATCH) {
                batch.clear();
                for (int k = i; k < Math.min(count, i + BATCH); k++) {
                    batch.add(event(0, k));
                }
                journal.appendAll(POD, batch);
            }
        } catch (JournalException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static void appendRaw(ExcerptAppender appender, byte[] payload, int count) {
        for (int i = 0; i < count; i++) {
            try (DocumentContext dc = appender.writingDocument()) {
                dc.wire().bytes().write(payload);
            }
        }
    }

    private static void warmUpAppends(Path dir, byte[] payload) throws Exception {
        try (ChronicleJournal journal = ChronicleJournal.open(Files.createDirectories(dir), REGISTRY);
             SingleChronicleQueue raw = rawQueue(dir.resolve("raw"));
             ExcerptAppender appender = raw.createAppender()) {
            appendJournal(journal, 50_000);
            appendBatches(journal, 50_000);
            appendRaw(appender, payload, 50_000);
            replayJournal(journal);
            verifyJournal(journal);
            readRaw(raw);
        }
        deleteTree(dir);
    }

    // ---- reads

    private static void replayJournal(Journal journal) {
        AtomicLong sum = new AtomicLong();
        try {
            journal.replay(0, e -> sum.addAndGet(((AppStarted) e.event()).pid()));
        } catch (JournalException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        consume(sum.get());
    }

    private static void verifyJournal(Journal journal) {
        try {
            if (!journal.verify().ok()) {
                throw new IllegalStateException("the bench journal does not verify");
            }
        } catch (JournalException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static void readRaw(SingleChronicleQueue raw) {
        long sum = 0;
        byte[] buffer = new byte[4096];
        try (ExcerptTailer tailer = raw.createTailer()) {
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    Bytes<?> bytes = dc.wire().bytes();
                    int n = (int) bytes.readRemaining();
                    bytes.read(buffer, 0, n);
                    sum += buffer[n - 1];
                }
            }
        }
        consume(sum);
    }

    private static volatile long sink;

    private static void consume(long value) {
        sink += value;
    }

    // ---- in-process latency

    /** One round: {@code samples} appends, each waiting for the tail to see it; nanoseconds each. */
    private long[] inProcessJournal(Journal journal) throws JournalException {
        long base = journal.nextIndex();
        AtomicLongArray received = new AtomicLongArray(samples);
        long[] latency = new long[samples];
        try (Tail tail = journal.tail(base, e -> received.set((int) (e.index() - base), System.nanoTime()))) {
            for (int i = 0; i < samples; i++) {
                pace();
                long sent = System.nanoTime();
                journal.append(POD, event(sent, i));
                latency[i] = awaitReceipt(received, i, tail::position) - sent;
            }
        }
        return latency;
    }

    private long[] inProcessRaw(SingleChronicleQueue raw, ExcerptAppender appender, byte[] payload) {
        AtomicLongArray received = new AtomicLongArray(samples);
        long[] latency = new long[samples];
        try (RawTailer tailer = new RawTailer(raw, received, false)) {
            for (int i = 0; i < samples; i++) {
                pace();
                long sent = System.nanoTime();
                try (DocumentContext dc = appender.writingDocument()) {
                    dc.wire().bytes().writeLong(sent).write(payload);
                }
                latency[i] = awaitReceipt(received, i, tailer::count) - sent;
            }
        }
        return latency;
    }

    private static void pace() {
        LockSupport.parkNanos(PACE_MICROS * 1_000);
    }

    private static long awaitReceipt(AtomicLongArray received, int i, LongSupplier progress) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long at;
        int spins = 0;
        while ((at = received.get(i)) == 0) { // the receipt time is taken by the tailer: how we wait here does not count
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("sample " + i + " never reached the tailer (at " + progress.getAsLong() + ")");
            }
            if (spins++ < 100) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(20_000);
            }
        }
        return at;
    }

    /**
     * A raw Chronicle tailer on its own thread, idling like the journal's tail (spin, yield, park
     * up to 1 ms) but with no wake-up from the appender. Records the receipt time of each excerpt,
     * or, {@code sentInside}, the latency from the send time written in its first 8 bytes.
     */
    private static final class RawTailer implements AutoCloseable {
        private final Thread thread;
        private final AtomicLong count = new AtomicLong();
        private volatile boolean stop;

        RawTailer(SingleChronicleQueue queue, AtomicLongArray received, boolean sentInside) {
            java.util.concurrent.CountDownLatch positioned = new java.util.concurrent.CountDownLatch(1);
            thread = new Thread(() -> {
                try (ExcerptTailer tailer = queue.createTailer()) {
                    tailer.toEnd();
                    positioned.countDown();
                    int idle = 0;
                    while (!stop) {
                        try (DocumentContext dc = tailer.readingDocument()) {
                            if (dc.isPresent()) {
                                long sent = dc.wire().bytes().readLong();
                                long now = System.nanoTime();
                                int i = (int) count.getAndIncrement();
                                if (i < received.length()) {
                                    received.set(i, sentInside ? Math.max(1, now - sent) : now);
                                }
                                idle = 0;
                                continue;
                            }
                        }
                        idle = idle(idle);
                    }
                }
            }, "bench-raw-tailer");
            thread.setDaemon(true);
            thread.start();
            try {
                positioned.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        long count() {
            return count.get();
        }

        @Override
        public void close() {
            stop = true;
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The journal tail's idle policy, for the raw baseline: spin 64, yield 16, then park 20 µs doubling to 1 ms. */
    private static int idle(int idle) {
        if (idle < 64) {
            Thread.onSpinWait();
        } else if (idle < 80) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(Math.min(1_000_000L, 20_000L << Math.min(idle - 80, 16)));
        }
        return idle + 1;
    }

    // ---- cross-process latency

    /**
     * Cross-process rounds: a journal child and a raw child, each appending {@code samples} events
     * a round on "go" while a tailer here receives them; their rounds alternate, so both see the
     * same machine. Latency is measured from the send time inside each event.
     */
    private void crossProcess(Path journalDir, Latency journalResult, Path rawDir, Latency rawResult) throws Exception {
        Files.createDirectories(journalDir);
        int total = (rounds + 1) * samples;
        AtomicLongArray journalLatency = new AtomicLongArray(total);
        AtomicLongArray rawLatency = new AtomicLongArray(total);
        try (ChronicleJournal journal = ChronicleJournal.open(journalDir, REGISTRY);
             Tail tail = journal.tail(0, e -> journalLatency.set((int) e.index(),
                     Math.max(1, System.nanoTime() - ((AppStarted) e.event()).sentNanos())));
             SingleChronicleQueue raw = rawQueue(rawDir);
             RawTailer rawTailer = new RawTailer(raw, rawLatency, true);
             Child journalChild = Child.start("journal", journalDir, samples);
             Child rawChild = Child.start("raw", rawDir, samples)) {
            journalChild.await("ready");
            rawChild.await("ready");
            for (int r = 0; r <= rounds; r++) { // round 0 is the warm-up
                journalChild.send("go");
                journalChild.await("done");
                rawChild.send("go");
                rawChild.await("done");
                long[] j = new long[samples];
                long[] b = new long[samples];
                for (int i = 0; i < samples; i++) {
                    j[i] = awaitReceipt(journalLatency, r * samples + i, tail::position);
                    b[i] = awaitReceipt(rawLatency, r * samples + i, rawTailer::count);
                }
                if (r > 0) {
                    journalResult.add(j);
                    rawResult.add(b);
                }
            }
            journalChild.send("exit");
            rawChild.send("exit");
        }
    }

    /**
     * The child JVM: {@code --child-append journal|raw DIR SAMPLES}. Warms up, prints "ready", then
     * on each "go" appends SAMPLES events, one every PACE_MICROS, and prints "done"; "exit" ends it.
     */
    private static void childAppend(String[] args) throws Exception {
        String mode = args[1];
        Path dir = Path.of(args[2]);
        int count = Integer.parseInt(args[3]);
        byte[] payload = Json.mapper().writeValueAsBytes(event(0, 0));
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        warmUpChild(mode, dir.resolveSibling(dir.getFileName() + "-child-warm-up"), payload);
        if (mode.equals("journal")) {
            try (Journal journal = ChronicleJournal.open(dir, REGISTRY)) {
                int seq = 0;
                while (nextRound(stdin)) {
                    for (int i = 0; i < count; i++) {
                        pace();
                        journal.append(POD, event(System.nanoTime(), seq++));
                    }
                    say("done");
                }
            }
        } else {
            try (SingleChronicleQueue raw = rawQueue(dir); ExcerptAppender appender = raw.createAppender()) {
                while (nextRound(stdin)) {
                    for (int i = 0; i < count; i++) {
                        pace();
                        long sent = System.nanoTime(); // before the append, as for the journal
                        try (DocumentContext dc = appender.writingDocument()) {
                            dc.wire().bytes().writeLong(sent).write(payload);
                        }
                    }
                    say("done");
                }
            }
        }
    }

    /** Runs the child's append path until the JIT has compiled it, in a scratch directory. */
    private static void warmUpChild(String mode, Path scratch, byte[] payload) throws Exception {
        Files.createDirectories(scratch);
        if (mode.equals("journal")) {
            try (ChronicleJournal journal = ChronicleJournal.open(scratch, REGISTRY)) {
                appendJournal(journal, 30_000);
            }
        } else {
            try (SingleChronicleQueue raw = rawQueue(scratch); ExcerptAppender appender = raw.createAppender()) {
                appendRaw(appender, payload, 30_000);
            }
        }
        deleteTree(scratch);
    }

    /** Says "ready" the first time; true on "go", false on "exit" or end of input. */
    private static boolean nextRound(BufferedReader stdin) throws IOException {
        if (!readySaid) {
            readySaid = true;
            say("ready");
        }
        String line = stdin.readLine();
        if (line == null || line.equals("exit")) {
            return false;
        }
        if (!line.equals("go")) {
            throw new IllegalStateException("expected 'go' or 'exit' on stdin, got '" + line + "'");
        }
        return true;
    }

    private static boolean readySaid;

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** A child JVM with this JVM's java, classpath and --add-opens/--add-exports flags. */
    private static final class Child implements AutoCloseable {
        private final Process process;
        private final BufferedReader stdout;
        private final Writer stdin;

        private Child(Process process) {
            this.process = process;
            this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        }

        static Child start(String mode, Path dir, int count) throws IOException {
            List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (flag.startsWith("--add-") || flag.startsWith("-Dchronicle.")) {
                    command.add(flag);
                }
            }
            command.add("-Dslf4j.provider=" + System.getProperty("slf4j.provider"));
            command.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    JournalBench.class.getName(), CHILD, mode, dir.toString(), String.valueOf(count)));
            return new Child(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        }

        /** Reads the child's stdout up to {@code line}, passing anything else (log lines) on to stderr. */
        void await(String line) throws IOException {
            for (String got; (got = stdout.readLine()) != null; ) {
                if (got.equals(line)) {
                    return;
                }
                System.err.println("child: " + got);
            }
            throw new IllegalStateException("child JVM ended before printing '" + line + "'");
        }

        void send(String line) throws IOException {
            stdin.write(line + "\n");
            stdin.flush();
        }

        /** Ends the child: end of its stdin means exit; forced after 30 s. */
        @Override
        public void close() throws InterruptedException {
            try {
                stdin.close();
            } catch (IOException e) {
                // it has gone already
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }
    }

    // ---- figures

    private static SingleChronicleQueue rawQueue(Path dir) {
        return SingleChronicleQueueBuilder.binary(dir).rollCycle(RollCycles.FAST_DAILY).build();
    }

    private static double perSecond(long count, Runnable work) {
        long start = System.nanoTime();
        work.run();
        return count / ((System.nanoTime() - start) / 1e9);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Per-round latency percentiles; the figure is the median of the rounds' percentiles. */
    private static final class Latency {
        private final List<long[]> rounds = new ArrayList<>();

        void add(long[] nanos) {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            rounds.add(sorted);
        }

        double p(int percentile) {
            double[] perRound = new double[rounds.size()];
            for (int r = 0; r < perRound.length; r++) {
                long[] sorted = rounds.get(r);
                int at = (int) Math.min(sorted.length - 1, Math.ceil(percentile / 100.0 * sorted.length) - 1);
                perRound[r] = sorted[Math.max(0, at)] / 1_000.0;
            }
            return median(perRound);
        }
    }

    private record Row(String metric, double journal, double baseline, boolean higherIsBetter) {
        static Row throughput(String metric, double journal, double baseline) {
            return new Row(metric, journal, baseline, true);
        }

        static Row latency(String metric, double journal, double baseline) {
            return new Row(metric, journal, baseline, false);
        }
    }

    private void print(List<Row> rows) {
        String format = "%-38s %14s %14s %8s%n";
        out.println();
        out.printf(Locale.ROOT, format, "metric", "journal", "raw Chronicle", "ratio");
        for (Row row : rows) {
            out.printf(Locale.ROOT, format, row.metric(), number(row.journal()), number(row.baseline()),
                    String.format(Locale.ROOT, "%.2fx", row.journal() / row.baseline()));
        }
        out.println();
        out.println("ratio = journal / raw Chronicle (throughput: higher is better; latency: lower is better).");
        out.println("Baseline: raw excerpts of the same JSON bytes, no envelope, hash or JSON coding. Latency: one");
        out.println("event every " + PACE_MICROS + " µs; both tailers idle the same way (spin, yield, park <= 1 ms); only");
        out.println("the journal's appends wake its in-process tail. verify's baseline is the same raw read as replay's.");
    }

    private static String number(double value) {
        if (value >= 1_000) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        return String.format(Locale.ROOT, "%.1f", value);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
