package dev.rkj.engine.snapshot;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rkj.engine.pod.PodProjection;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.store.ImageIndex;
import dev.rkj.eventlog.Envelope;
import dev.rkj.eventlog.Journal;
import dev.rkj.eventlog.JournalException;
import dev.rkj.eventlog.Json;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Projection snapshots in {@code <data dir>/snapshots/}: every pod's state ({@link PodProjection})
 * and the image index ({@link ImageIndex}) as they were after the journal's envelopes below an
 * index, so that a start loads the newest one and replays only the tail, whatever the length of
 * the history.
 *
 * <p>A snapshot is one JSON file, {@code projection-<index>.json}, written to a temporary file and
 * renamed into place. It records its format version, the shape of the records it holds (their
 * component names and types, so a build whose records changed reads it as another version), the
 * index and the hash of the envelope just before it. A snapshot is used only if it reads back
 * whole, is of this version and shape, and the journal holds that hash at that place (the same
 * journal, not rewritten since); otherwise it is ignored with a warning and the journal is folded
 * from further back. Being ignored is never fatal: the journal stays the source of truth.
 *
 * <p>Which snapshot to keep is decided here alone: {@link #refresh} keeps the one it wrote and the
 * one at the journal's first kept index (the anchor of a pruned journal, {@link Journal#firstIndex()}).
 *
 * <p>Thread-safe (no state beyond the directory); several processes may write snapshots at once:
 * each file is complete when it appears, and two writers at one index write the same state.
 */
public final class Snapshots {
    /** The directory under the data directory. */
    public static final String DIRECTORY = "snapshots";
    /** How many envelopes past the newest snapshot make a running engine take a new one. */
    public static final long EVERY = 10_000;
    /**
     * How many envelopes past the newest snapshot make a clean shutdown take one: below it, the
     * next start's replay of the tail costs less than writing the snapshot costs every stop (a CLI
     * command's embedded engine stops after each command).
     */
    public static final long ON_SHUTDOWN = 1_000;
    static final String FORMAT = "rkj-projection-snapshot";
    static final int VERSION = 1;
    private static final Pattern NAME = Pattern.compile("projection-(\\d{20})\\.json");
    private static final ObjectMapper MAPPER = Json.mapper();

    private final Path dir;

    private Snapshots(Path dir) {
        this.dir = dir;
    }

    /** The snapshots of the data directory {@code dataDir} (nothing is created until one is written). */
    public static Snapshots in(Path dataDir) {
        return new Snapshots(Objects.requireNonNull(dataDir, "dataDir").resolve(DIRECTORY));
    }

    /** The snapshot directory. */
    public Path directory() {
        return dir;
    }

    /** What one snapshot file holds. */
    record Stored(String format, int version, String shape, long index, String hash, List<PodState> pods,
                  ImageIndex.Saved images) {}

    /**
     * Where a fold starts: the projections as they were after the envelopes below {@code index},
     * loaded from {@code file}, or empty at index 0 when no snapshot was usable.
     *
     * @param warnings the snapshots ignored and why, one line each, for the caller to show or log
     */
    public record Base(long index, PodProjection pods, ImageIndex images, Optional<Path> file, List<String> warnings) {
        public Base {
            warnings = List.copyOf(warnings);
        }

        /** No snapshot: every fold starts at index 0. */
        public static Base none() {
            return empty(List.of());
        }

        static Base empty(List<String> warnings) {
            return new Base(0, new PodProjection(), new ImageIndex(), Optional.empty(), warnings);
        }

        /** Folds into both projections what the journal holds from {@link #index()} on (to its end now). */
        public Base caughtUp(Journal journal) throws JournalException {
            journal.replay(Math.max(index, pods.nextIndex()), env -> {
                pods.apply(env.aggregateId(), env.event(), env.time(), env.index());
                images.apply(env);
            });
            return this;
        }
    }

    /**
     * The newest usable snapshot of {@code journal}, or an empty base at 0; reads only. A
     * snapshot older than the journal's first kept index is not usable (the events after it are
     * gone).
     *
     * @throws JournalException if the journal cannot be read
     */
    public Base load(Journal journal) throws JournalException {
        return loadAtOrBefore(journal, Long.MAX_VALUE);
    }

    /** As {@link #load}, among the snapshots at {@code index} or before it. */
    public Base loadAtOrBefore(Journal journal, long index) throws JournalException {
        List<String> warnings = new ArrayList<>();
        long end = journal.nextIndex();
        long first = journal.firstIndex();
        for (Candidate c : candidates()) {
            if (c.index() > index) {
                continue;
            }
            if (c.index() < first) {
                break; // older ones are older still
            }
            Optional<Base> base = read(c, journal, end, warnings);
            if (base.isPresent()) {
                return base.get();
            }
        }
        return Base.empty(warnings);
    }

    private record Candidate(long index, Path file) {}

    /** The snapshot files, newest index first; none if the directory does not exist. */
    private List<Candidate> candidates() {
        List<Candidate> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                Matcher m = NAME.matcher(f.getFileName().toString());
                if (m.matches()) {
                    found.add(new Candidate(Long.parseLong(m.group(1)), f));
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            return List.of(); // unreadable directory: as if there were none, the journal is folded instead
        }
        found.sort((a, b) -> Long.compare(b.index(), a.index()));
        return found;
    }

    private Optional<Base> read(Candidate c, Journal journal, long end, List<String> warnings) throws JournalException {
        String ignored = "projection snapshot " + c.file() + " ignored (the journal is replayed instead): ";
        Stored stored;
        try {
            stored = MAPPER.readValue(c.file().toFile(), Stored.class);
        } catch (IOException | RuntimeException e) {
            warnings.add(ignored + "it cannot be read (" + oneLine(e.getMessage()) + ")");
            return Optional.empty();
        }
        if (!FORMAT.equals(stored.format()) || stored.version() != VERSION || !Shape.CURRENT.equals(stored.shape())) {
            warnings.add(ignored + "it was written by another version of rkj (" + stored.format() + " version "
                    + stored.version() + ", this one reads version " + VERSION + " of this build's shape)");
            return Optional.empty();
        }
        if (stored.index() != c.index() || stored.pods() == null || stored.images() == null
                || stored.images().nextIndex() != stored.index()) {
            warnings.add(ignored + "its contents do not match its name (index " + stored.index() + ")");
            return Optional.empty();
        }
        if (stored.index() > end) {
            warnings.add(ignored + "it was taken at index " + stored.index() + " but the journal holds only " + end
                    + " events (another journal, or one restored from an older backup)");
            return Optional.empty();
        }
        if (stored.index() > 0) {
            byte[] there = hashBefore(journal, stored.index());
            if (!Arrays.equals(there, hex(stored.hash()))) {
                warnings.add(ignored + "event " + (stored.index() - 1) + " in the journal is not the one it was taken"
                        + " after (the journal was replaced or rewritten)");
                return Optional.empty();
            }
        }
        try {
            PodProjection pods = new PodProjection(stored.pods(), stored.index());
            ImageIndex images = ImageIndex.restore(stored.images());
            return Optional.of(new Base(stored.index(), pods, images, Optional.of(c.file()), warnings));
        } catch (RuntimeException e) {
            warnings.add(ignored + "its contents are inconsistent (" + oneLine(e.getMessage()) + ")");
            return Optional.empty();
        }
    }

    /** The hash of envelope {@code index - 1}, or null if the journal does not hold it. */
    private static byte[] hashBefore(Journal journal, long index) throws JournalException {
        Optional<dev.rkj.eventlog.JournalAnchor> anchor = journal.anchor();
        if (anchor.isPresent() && anchor.get().firstIndex() == index) {
            return anchor.get().previousHash(); // the event before was pruned; its hash is what the anchor trusts
        }
        byte[][] found = new byte[1][];
        try {
            journal.replay(index - 1, env -> {
                found[0] = env.index() == index - 1 ? env.hash() : null;
                throw Found.INSTANCE;
            });
        } catch (Found enough) {
            // one envelope is all it takes
        }
        return found[0];
    }

    private static byte[] hex(String text) {
        try {
            return text == null ? null : HexFormat.of().parseHex(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Brings the snapshots up to the journal's end: loads the newest usable one, folds the tail,
     * and writes a new snapshot if the tail is not empty. Then removes the other snapshot files,
     * but for the one at the journal's first kept index (a pruned journal's anchor).
     *
     * @return the base written or loaded, caught up to the journal's end
     * @throws JournalException if the journal cannot be read
     * @throws IOException      if the snapshot cannot be written; nothing is left half-written
     */
    public Base refresh(Journal journal) throws JournalException, IOException {
        Base base = load(journal).caughtUp(journal);
        long index = base.pods().nextIndex();
        Base written = base;
        if (index > base.index()) {
            Path file = write(journal, base.pods(), base.images());
            written = new Base(index, base.pods(), base.images(), Optional.of(file), base.warnings());
        }
        long anchor = journal.firstIndex();
        for (Candidate c : candidates()) {
            if (c.index() != written.index() && c.index() != anchor) {
                Files.deleteIfExists(c.file());
            }
        }
        return written;
    }

    /**
     * Writes a snapshot of {@code pods} and {@code images}, which must both have folded exactly the
     * envelopes below the same index, taken from {@code journal}.
     *
     * @return the file written
     * @throws IllegalArgumentException if the two projections stand at different indexes
     */
    public Path write(Journal journal, PodProjection pods, ImageIndex images) throws JournalException, IOException {
        long index = pods.nextIndex();
        ImageIndex.Saved savedImages = images.saved();
        if (savedImages.nextIndex() != index) {
            throw new IllegalArgumentException("a snapshot needs both projections at one index: pods at " + index
                    + ", images at " + savedImages.nextIndex());
        }
        String hash = index == 0 ? "" : HexFormat.of().formatHex(Objects.requireNonNull(hashBefore(journal, index),
                () -> "journal has no event " + (index - 1) + " to take a snapshot after"));
        Stored stored = new Stored(FORMAT, VERSION, Shape.CURRENT, index, hash, pods.all(), savedImages);
        Files.createDirectories(dir);
        Path target = dir.resolve(String.format("projection-%020d.json", index));
        Path temp = dir.resolve("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-"
                + Thread.currentThread().getId());
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(MAPPER.writeValueAsBytes(stored)));
                ch.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        return target;
    }

    /** The snapshot file for {@code index}, if there is one (for tests and the journal's pruning). */
    public Optional<Path> fileAt(long index) {
        Path f = dir.resolve(String.format("projection-%020d.json", index));
        return Files.isRegularFile(f) ? Optional.of(f) : Optional.empty();
    }

    private static String oneLine(String text) {
        return String.valueOf(text).replace('\n', ' ');
    }

    /** Ends a replay after the one envelope it was started for. */
    private static final class Found extends RuntimeException {
        static final Found INSTANCE = new Found();

        private Found() {
            super("found", null, false, false);
        }
    }
}
