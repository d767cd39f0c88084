package dev.rkj.bench;

import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.Stage;
import dev.rkj.engine.snapshot.Snapshots;
import dev.rkj.engine.store.ImageEvent;
import dev.rkj.eventlog.ChronicleJournal;
import dev.rkj.eventlog.JournalException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Start-up against history length (issue 15): the work an engine start and {@code rkj list} do
 * before answering (open the journal read-only, load the newest projection snapshot, fold the
 * tail, list the pods), with an empty journal and with one of {@code --events} events (default
 * 1M; 100 pods, the rest other aggregates' events), without and with a snapshot at its end.
 * Medians of {@code --rounds} rounds in this JVM (after one warm-up), so JVM start is left out.
 * Usage: {@code HistoryBench [--events N] [--rounds R] [--dir DIR]}.
 */
public final class HistoryBench {
    private static final PodOwner OWNER = new PodOwner("bench", 1);

    private HistoryBench() {}

    public static void main(String[] args) throws Exception {
        long events = 1_000_000;
        int rounds = 7;
        Path base = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--events" -> events = Long.parseLong(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--dir" -> base = Path.of(args[++i]);
                default -> {
                    System.err.println("history: unknown option " + args[i]
                            + "; usage: scripts/bench history [--events N] [--rounds R] [--dir DIR]");
                    System.exit(2);
                }
            }
        }
        Path dir = base == null ? Files.createTempDirectory("rkj-history-bench") : Files.createDirectories(base);
        try {
            Path empty = Files.createDirectories(dir.resolve("empty"));
            try (ChronicleJournal j = ChronicleJournal.open(empty.resolve("journal"), EngineEvents.registry())) {
                String image = "sha512-" + "ab".repeat(64);
                j.append(image, new ImageEvent.TreeRendered(image, image)); // a journal file, one event
            }
            Path full = Files.createDirectories(dir.resolve("full"));
            System.out.printf("history: writing %,d events...%n", events);
            fill(full, events);
            double emptyMs = median(empty, rounds);
            double fullMs = median(full, rounds);
            try (ChronicleJournal j = ChronicleJournal.open(full.resolve("journal"), EngineEvents.registry())) {
                Snapshots.in(full).refresh(j);
            }
            double snapMs = median(full, rounds);
            System.out.println("start-up work (open journal, load snapshot, fold tail, list pods), median ms:");
            System.out.printf("  %-34s %10.2f%n", "1 event", emptyMs);
            System.out.printf("  %-34s %10.2f  (%.1fx the empty one)%n", String.format("%,d events, no snapshot", events),
                    fullMs, fullMs / emptyMs);
            System.out.printf("  %-34s %10.2f  (%.1fx the empty one)%n", String.format("%,d events, snapshot at end", events),
                    snapMs, snapMs / emptyMs);
        } finally {
            if (base == null) {
                deleteTree(dir);
            }
        }
    }

    /** 100 pods' histories, then other aggregates' events up to {@code events}. */
    private static void fill(Path data, long events) throws JournalException {
        try (ChronicleJournal j = ChronicleJournal.open(data.resolve("journal"), EngineEvents.registry())) {
            long n = 0;
            for (int p = 0; p < 100 && n < events; p++) {
                String pod = UUID.randomUUID().toString();
                j.append(pod, new PodEvent.PodCreated(pod, PodSpec.of("example.com/app:1.0"), OWNER));
                j.append(pod, new PodEvent.StageFailed(pod, Stage.FETCH, "not found", false));
                n += 2;
            }
            String image = "sha512-" + "ab".repeat(64);
            while (n < events) {
                j.append(image, new ImageEvent.TreeRendered(image, image)); // an image not stored: folded, no state
                n++;
            }
        }
    }

    private static double median(Path data, int rounds) throws Exception {
        List<Double> ms = new ArrayList<>();
        for (int r = 0; r <= rounds; r++) {
            long t0 = System.nanoTime();
            int listed;
            try (ChronicleJournal j = ChronicleJournal.openReadOnly(data.resolve("journal"), EngineEvents.registry())) {
                listed = Snapshots.in(data).load(j).caughtUp(j).pods().list().size();
            }
            double took = (System.nanoTime() - t0) / 1e6;
            if (listed < 0) {
                throw new AssertionError();
            }
            if (r > 0) {
                ms.add(took);
            }
        }
        ms.sort(null);
        return ms.get(ms.size() / 2);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
