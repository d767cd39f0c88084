package dev.rkj.eventlog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Repairs a torn tail: the newest queue file ends in one or more records that are cut short (a
 * crash or a full disk in the middle of an append), with nothing intact after them. The file is
 * moved to {@code damaged/<file>.<time>} (kept whole, as evidence), and a new file of the same
 * name is written with its complete records, byte for byte, so their indexes and hashes are
 * unchanged. Damage with intact records after it is not a torn tail and is left alone.
 *
 * <p>Runs while no journal in this process has the directory open. Another process appending at
 * the same moment would have met the same torn record; rkj does not guard against that race.
 */
final class TornTail {
    static final String DAMAGED_DIR = "damaged";
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** What a repair did: the file, where the original went, how many records were dropped. */
    record Repair(String file, String keptAs, int dropped, StoredEnvelope lastKept) {}

    private TornTail() {}

    /**
     * Repairs the newest file of {@code dir} if its tail is torn.
     *
     * @return what was done, or null if the newest file has no torn tail (its damage, if any, is elsewhere)
     */
    static Repair repairIfTorn(Path dir, RollCycle rollCycle, Clock clock) throws JournalException {
        Scan scan = scan(SingleChronicleQueueBuilder.binary(dir).rollCycle(rollCycle)
                .timeProvider(new ClockTimeProvider(clock)), rollCycle);
        if (scan == null) {
            return null;
        }
        List<StoredEnvelope> kept = scan.kept();
        int torn = scan.torn();
        int cycle = scan.cycle();
        Path file = QueueFiles.fileFor(dir, rollCycle, cycle);
        String name = file.getFileName().toString();
        String keptAs = keptAsFor(file, Instant.now());
        Path evidence = dir.resolve(keptAs);
        Path scratch = dir.resolve(".repair-" + name);
        try {
            deleteTree(scratch);
            if (!kept.isEmpty()) {
                rewrite(scratch, rollCycle, cycle, kept);
            }
            Files.createDirectories(evidence.getParent());
            Files.move(file, evidence, StandardCopyOption.ATOMIC_MOVE);
            if (!kept.isEmpty()) {
                Files.move(QueueFiles.fileFor(scratch, rollCycle, cycle), file, StandardCopyOption.ATOMIC_MOVE);
            }
            deleteTree(scratch);
        } catch (IOException | RuntimeException e) {
            throw new JournalException("journal file " + file + " ends in a torn record but cannot be repaired ("
                    + Messages.describe(e) + "): check free space and permissions in " + dir + ", then retry", e);
        }
        return new Repair(name, keptAs, torn, kept.isEmpty() ? null : kept.get(kept.size() - 1));
    }

    /**
     * If the newest file of {@code dir} ends in a torn record that {@link #repairIfTorn} would
     * repair, where its last intact record is (null if none is in that file) and how many are torn;
     * reads only (the queue opened read-only: nothing is created or written).
     *
     * @return null if there is no torn tail
     */
    static Tear findReadOnly(Path dir, RollCycle rollCycle) {
        Scan scan = scan(SingleChronicleQueueBuilder.binary(dir).rollCycle(rollCycle).readOnly(true), rollCycle);
        if (scan == null) {
            return null;
        }
        StoredEnvelope last = scan.kept().isEmpty() ? null : scan.kept().get(scan.kept().size() - 1);
        return new Tear(QueueFiles.fileFor(dir, rollCycle, scan.cycle()), last, scan.lastKeptExcerpt(), scan.torn());
    }

    /** A torn tail left as it is: the file, its last intact record (or null) and that record's excerpt, how many are torn. */
    record Tear(Path file, StoredEnvelope lastKept, long lastKeptExcerpt, int torn) {}

    /** The newest file's records: the intact ones before the tear, and how many are torn after them. */
    private record Scan(List<StoredEnvelope> kept, long lastKeptExcerpt, int torn, int cycle) {}

    /** Null if the newest file has no torn tail (no damage, or damage with intact records after it). */
    private static Scan scan(SingleChronicleQueueBuilder builder, RollCycle rollCycle) {
        List<StoredEnvelope> kept = new ArrayList<>();
        long lastKeptExcerpt = -1;
        int torn = 0;
        int cycle;
        try (SingleChronicleQueue queue = builder.build();
             ExcerptTailer tailer = queue.createTailer()) {
            cycle = queue.lastCycle();
            if (cycle < 0 || !tailer.moveToCycle(cycle)) {
                return null;
            }
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent() || rollCycle.toCycle(dc.index()) != cycle) {
                        break;
                    }
                    StoredEnvelope e = intactOrNull(dc);
                    if (e == null) {
                        torn++;
                    } else if (torn > 0) {
                        return null; // an intact record after a broken one: damage, not a torn tail
                    } else {
                        kept.add(e);
                        lastKeptExcerpt = dc.index();
                    }
                } catch (RuntimeException | AssertionError | InternalError e) {
                    torn++; // Chronicle cannot even walk past it: nothing after it can be read either
                    break;
                }
            }
        } catch (RuntimeException | AssertionError | InternalError e) {
            return null;
        }
        return torn == 0 ? null : new Scan(kept, lastKeptExcerpt, torn, cycle);
    }

    /** Where a damaged queue file is kept, relative to the journal directory: {@code damaged/<file>.<time>}. */
    static String keptAsFor(Path file, Instant now) {
        return DAMAGED_DIR + "/" + file.getFileName() + "." + STAMP.format(now);
    }

    private static StoredEnvelope intactOrNull(DocumentContext dc) {
        try {
            StoredEnvelope e = EnvelopeFormat.read(dc.wire().bytes());
            return Arrays.equals(new HashChain().hash(e), e.hash()) ? e : null;
        } catch (EnvelopeFormat.BadEnvelope bad) {
            return null;
        }
    }

    /** Writes {@code kept} into a new queue in {@code scratch}, in the same day file as the original. */
    private static void rewrite(Path scratch, RollCycle rollCycle, int cycle, List<StoredEnvelope> kept) {
        Clock inCycle = Clock.fixed(Instant.ofEpochMilli((long) cycle * rollCycle.lengthInMillis()), ZoneOffset.UTC);
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(scratch).rollCycle(rollCycle)
                .timeProvider(new ClockTimeProvider(inCycle)).build();
             ExcerptAppender appender = queue.createAppender()) {
            for (StoredEnvelope e : kept) {
                try (DocumentContext dc = appender.writingDocument()) {
                    EnvelopeFormat.write(dc.wire().bytes(), e);
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
