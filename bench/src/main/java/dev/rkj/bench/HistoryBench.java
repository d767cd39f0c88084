package dev.rkj.bench;

import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.Stage;
import dev.rkj.engine.read.AsOf;
import dev.rkj.engine.read.HostPodTraces;
import dev.rkj.engine.read.PodReader;
import dev.rkj.engine.recovery.FlockLiveness;
import dev.rkj.engine.snapshot.Snapshots;
import dev.rkj.engine.store.ImageEvent;
import dev.rkj.eventlog.ChronicleJournal;
import dev.rkj.eventlog.JournalException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Start-up against history length (issue 15): with the same live state (100 pods), how long an
 * engine start and {@code rkj list} take with a short journal and with one of {@code --events}
 * events (default 1M) spread over {@code --days} day files (default 30), each with a projection
 * snapshot at its end; an empty journal (1 event, no pod) and the long one without a snapshot
 * are shown for scale.
 *
 * <p>Two operations, each in this JVM: {@code rkj list} without a daemon (the journal opened
 * read-only, {@link PodReader} from the newest snapshot: load, fold the tail, settle, list) and
 * an engine's open (the journal opened for writing, the snapshot loaded, the tail folded). The
 * rounds visit every data set in turn (rotating which goes first), after two warm-up rounds, so
 * that the JIT and the machine's load treat them alike; figures are medians. The long journal
 * without a snapshot is folded once (it takes seconds to minutes). Usage:
 * {@code HistoryBench [--events N] [--days D] [--rounds R] [--dir DIR]}.
 */
public final class HistoryBench {
    private static final PodOwner OWNER = new PodOwner("bench", 1);
    private static final int PODS = 100;
    private static final int WARM_UP = 2;
    private static final String IMAGE = "sha512-" + "ab".repeat(64);

    private HistoryBench() {}

    /** One data directory and what it holds. */
    private record DataSet(String label, Path dir) {}

    public static void main(String[] args) throws Exception {
        long events = 1_000_000;
        int days = 30;
        int rounds = 7;
        Path base = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--events" -> events = Long.parseLong(required(args[i], value).replace("_", ""));
                case "--days" -> days = Integer.parseInt(required(args[i], value));
                case "--rounds" -> rounds = Integer.parseInt(required(args[i], value));
                case "--dir" -> base = Path.of(required(args[i], value));
                default -> usage("unknown option " + args[i]);
            }
            i++;
        }
        if (events < 2L * PODS + days || days < 1 || rounds < 1) {
            usage("--events must be at least " + (2 * PODS) + " + --days, --days and --rounds at least 1");
        }
        Path dir = base == null ? Files.createTempDirectory("rkj-history-bench") : Files.createDirectories(base);
        try {
            run(dir, events, days, rounds);
        } finally {
            if (base == null) {
                deleteTree(dir);
            }
        }
    }

    private static void run(Path dir, long events, int days, int rounds) throws Exception {
        DataSet empty = new DataSet("1 event, no pod", Files.createDirectories(dir.resolve("empty")));
        try (ChronicleJournal j = ChronicleJournal.open(empty.dir().resolve("journal"), EngineEvents.registry())) {
            j.append(IMAGE, new ImageEvent.TreeRendered(IMAGE, IMAGE)); // a journal file, one event
        }
        DataSet small = new DataSet(String.format(Locale.ROOT, "%d pods, %d events", PODS, 2 * PODS),
                Files.createDirectories(dir.resolve("short")));
        fill(small.dir(), 2 * PODS, 1);
        snapshot(small.dir());
        DataSet full = new DataSet(String.format(Locale.ROOT, "%d pods, %,d events, %d days", PODS, events, days),
                Files.createDirectories(dir.resolve("full")));
        System.out.printf(Locale.ROOT, "history: writing %,d events over %d day files...%n", events, days);
        long t0 = System.nanoTime();
        fill(full.dir(), events, days);
        System.out.printf(Locale.ROOT, "history: written in %.1f s; folding them once without a snapshot...%n",
                (System.nanoTime() - t0) / 1e9);
        double noSnapshot = listMillis(full.dir());
        snapshot(full.dir());

        List<DataSet> sets = List.of(empty, small, full);
        double[][] list = new double[sets.size()][rounds];
        double[][] open = new double[sets.size()][rounds];
        for (int r = -WARM_UP; r < rounds; r++) {
            for (int k = 0; k < sets.size(); k++) {
                int s = Math.floorMod(k + r, sets.size()); // each set goes first in turn
                double l = listMillis(sets.get(s).dir());
                double o = openMillis(sets.get(s).dir());
                if (r >= 0) {
                    list[s][r] = l;
                    open[s][r] = o;
                }
            }
        }

        System.out.printf(Locale.ROOT, "start-up against history, median ms of %d interleaved rounds (after %d warm-up"
                + " rounds), this JVM:%n", rounds, WARM_UP);
        String format = "  %-40s %10s %12s%n";
        System.out.printf(Locale.ROOT, format, "", "rkj list", "engine open");
        for (int s = 0; s < sets.size(); s++) {
            System.out.printf(Locale.ROOT, format, sets.get(s).label(), ms(median(list[s])), ms(median(open[s])));
        }
        System.out.printf(Locale.ROOT, format, "  the same without its snapshot (1 run)", ms(noSnapshot), "");
        double listRatio = median(list[2]) / median(list[1]);
        double openRatio = median(open[2]) / median(open[1]);
        System.out.printf(Locale.ROOT, "long / short history, same pods: rkj list %.2fx, engine open %.2fx"
                        + " (round-to-round spread of the short one: %s / %s)%n",
                listRatio, openRatio, spread(list[1]), spread(open[1]));
        System.out.printf(Locale.ROOT, "long history / empty journal: rkj list %.2fx, engine open %.2fx%n",
                median(list[2]) / median(list[0]), median(open[2]) / median(open[0]));
    }

    /**
     * {@value #PODS} pods' histories (created, then failed: folded into state, no host work),
     * then image events up to {@code events}, spread evenly over {@code days} day files ending today.
     */
    private static void fill(Path data, long events, int days) throws JournalException {
        Instant start = Instant.now().minus(Duration.ofDays(days - 1L));
        long filler = events - 2L * PODS;
        long n = 0;
        for (int day = 0; day < days; day++) {
            // Opened again each day with a clock fixed on it: its appends land in that day's file.
            Clock clock = Clock.fixed(start.plus(Duration.ofDays(day)), ZoneOffset.UTC);
            try (ChronicleJournal j = ChronicleJournal.open(data.resolve("journal"), EngineEvents.registry(), clock)) {
                for (int p = 0; day == 0 && p < PODS; p++) {
                    String pod = UUID.randomUUID().toString();
                    j.append(pod, new PodEvent.PodCreated(pod, PodSpec.of("example.com/app:1.0"), OWNER));
                    j.append(pod, new PodEvent.StageFailed(pod, Stage.FETCH, "not found", false));
                }
                for (long end = filler * (day + 1) / days; n < end; n++) {
                    j.append(IMAGE, new ImageEvent.TreeRendered(IMAGE, IMAGE)); // an image not stored: no state
                }
            }
        }
    }

    /** Takes the data directory's projection snapshot at its journal's end, as a running engine does. */
    private static void snapshot(Path data) throws Exception {
        try (ChronicleJournal j = ChronicleJournal.open(data.resolve("journal"), EngineEvents.registry())) {
            Snapshots.in(data).refresh(j);
        }
    }

    /** What {@code rkj list} does without a daemon, as its CLI does it. */
    private static double listMillis(Path data) throws Exception {
        long t0 = System.nanoTime();
        int listed;
        try (ChronicleJournal j = ChronicleJournal.openReadOnly(data.resolve("journal"), EngineEvents.registry())) {
            PodReader reader = new PodReader(j, PodReader.WriteAccess.NONE, new HostPodTraces(data),
                    FlockLiveness.create(data.resolve(FlockLiveness.DIRECTORY)), Clock.systemUTC())
                    .withSnapshots(Snapshots.in(data), warning -> { });
            listed = reader.read(new AsOf.Latest()).list().size();
        }
        double took = (System.nanoTime() - t0) / 1e6;
        if (listed < 0) {
            throw new AssertionError();
        }
        return took;
    }

    /** An engine's journal work at start: open for writing, load the newest snapshot, fold the tail. */
    private static double openMillis(Path data) throws Exception {
        long t0 = System.nanoTime();
        long at;
        try (ChronicleJournal j = ChronicleJournal.open(data.resolve("journal"), EngineEvents.registry())) {
            at = Snapshots.in(data).load(j).caughtUp(j).pods().nextIndex();
        }
        double took = (System.nanoTime() - t0) / 1e6;
        if (at < 0) {
            throw new AssertionError();
        }
        return took;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** "min-max ms" of the rounds. */
    private static String spread(double[] values) {
        return String.format(Locale.ROOT, "%.1f-%.1f ms", Arrays.stream(values).min().orElse(0),
                Arrays.stream(values).max().orElse(0));
    }

    private static String ms(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    private static String required(String flag, String value) {
        if (value == null) {
            usage(flag + " needs a value");
        }
        return value;
    }

    private static void usage(String problem) {
        System.err.println("history: " + problem
                + "; usage: scripts/bench launch history [--events N] [--days D] [--rounds R] [--dir DIR]");
        System.exit(2);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
