package dev.rkj.eventlog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.queue.RollCycle;

/**
 * The journal directory and its Chronicle queue files ({@code yyyyMMdd'F'.cq4}, one per day):
 * checks made before Chronicle opens them, and file names for error messages.
 *
 * <p>Chronicle is lenient with damaged files: a zeroed header makes it treat a full file as new
 * (and write over it), so {@link #checkHeaders} refuses such a file first.
 */
final class QueueFiles {
    static final String SUFFIX = ".cq4";
    private static final int PROBE = 4096;
    private static final java.time.Duration EMPTY_GRACE = java.time.Duration.ofSeconds(5);
    private static final int NOT_COMPLETE = 0x80000000;
    private static final int META_DATA = 0x40000000;
    private static final int LENGTH_MASK = 0x3FFFFFFF;
    /** File-name formatters by roll-cycle pattern: building one costs more than an append. */
    private static final java.util.Map<String, DateTimeFormatter> FORMATS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final byte[] STORE_MARKER = "SCQStore".getBytes(StandardCharsets.US_ASCII);

    private QueueFiles() {}

    /** Makes sure {@code dir} is a writable directory, creating it if only it (not its parent) is missing. */
    static void prepareDirectory(Path dir) throws JournalException {
        if (!Files.exists(dir)) {
            Path parent = dir.getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                throw new JournalException("journal directory " + dir + " does not exist, nor does its parent: create"
                        + " it (mkdir -p " + dir + ") or point --dir / RKJ_DIR at an existing data directory");
            }
            try {
                Files.createDirectory(dir);
            } catch (IOException e) {
                if (!Files.isDirectory(dir)) {
                    throw new JournalException("journal directory " + dir + " cannot be created ("
                            + Messages.describe(e) + "): run as a user who can write " + parent
                            + ", or pass another --dir", e);
                }
            }
        }
        if (!Files.isDirectory(dir)) {
            throw new JournalException("journal path " + dir + " is not a directory: move that file aside, or"
                    + " pass a --dir whose journal/ is a directory");
        }
        try {
            Path probe = Files.createTempFile(dir, ".rkj-write-probe", "");
            Files.delete(probe);
        } catch (IOException | UnsupportedOperationException e) {
            throw new JournalException("journal directory " + dir + " is not writable (" + Messages.describe(e)
                    + "): run as a user who can write it (root for /var/lib/rkj), or pass another --dir", e);
        }
    }

    /** The queue files in {@code dir}, oldest first. */
    static List<Path> list(Path dir) throws JournalException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            stream.forEach(files::add);
        } catch (IOException e) {
            throw new JournalException("journal directory " + dir + " cannot be listed (" + Messages.describe(e)
                    + "): check its permissions", e);
        }
        files.sort(null);
        return files;
    }

    /**
     * Refuses a queue file whose store header is clearly damaged (truncated inside the header,
     * zeroed over data, or not a Chronicle store), naming it.
     */
    static void checkHeaders(Path dir) throws JournalException {
        for (Path file : list(dir)) {
            String problem = headerProblem(file);
            if (problem != null) {
                throw damaged(file, problem, null);
            }
        }
    }

    /**
     * Moves aside queue files that are empty (0 bytes) and were last touched over
     * {@link #EMPTY_GRACE} ago: truncated to nothing, not being created (Chronicle gives a new file
     * its header at once). Chronicle cannot open them; they hold no events, and the head file
     * lets {@code verify} report the events they once held.
     *
     * @return the moved files' new places, relative to {@code dir}
     */
    static List<String> setAsideEmpty(Path dir, Instant now) throws JournalException {
        List<String> moved = new ArrayList<>();
        for (Path file : list(dir)) {
            try {
                if (Files.size(file) == 0
                        && Files.getLastModifiedTime(file).toInstant().isBefore(now.minus(EMPTY_GRACE))) {
                    String keptAs = TornTail.keptAsFor(file, now);
                    Files.createDirectories(dir.resolve(keptAs).getParent());
                    Files.move(file, dir.resolve(keptAs), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    moved.add(keptAs);
                }
            } catch (IOException e) {
                throw new JournalException("journal file " + file + " is empty (truncated) and cannot be moved aside ("
                        + Messages.describe(e) + "): move it out of " + dir + " yourself, then retry", e);
            }
        }
        return moved;
    }

    private static String headerProblem(Path file) throws JournalException {
        ByteBuffer probe = ByteBuffer.allocate(PROBE).order(ByteOrder.LITTLE_ENDIAN);
        long size;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            size = channel.size();
            while (probe.hasRemaining() && channel.read(probe) > 0) {
                // fill the probe
            }
        } catch (IOException e) {
            throw new JournalException("journal file " + file + " cannot be read (" + Messages.describe(e)
                    + "): check its permissions and the disk", e);
        }
        probe.flip();
        if (probe.remaining() < 4) {
            return size == 0 ? null : "it is " + size + " bytes long, shorter than a queue header (truncated)";
        }
        int header = probe.getInt(0);
        if (header == 0) {
            for (int i = 4; i < probe.limit(); i++) {
                if (probe.get(i) != 0) {
                    return "its header is zeroed but it holds data (overwritten)";
                }
            }
            return null; // being created by another process, or never written
        }
        if ((header & NOT_COMPLETE) != 0) {
            return null; // another process is writing the header right now
        }
        int length = header & LENGTH_MASK;
        if ((header & META_DATA) == 0 || !contains(probe, STORE_MARKER, Math.min(4 + length, probe.limit()))) {
            return "it does not start with a Chronicle queue header (overwritten, or not a queue file)";
        }
        if (size < 4L + length) {
            return "it is " + size + " bytes long, shorter than its own " + (4 + length) + "-byte header (truncated)";
        }
        return null;
    }

    private static boolean contains(ByteBuffer haystack, byte[] needle, int end) {
        outer:
        for (int i = 4; i + needle.length <= end; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack.get(i + j) != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** The file that holds {@code cycle}, named as Chronicle names it. */
    static Path fileFor(Path dir, RollCycle rollCycle, int cycle) {
        DateTimeFormatter format = FORMATS.computeIfAbsent(rollCycle.format(),
                pattern -> DateTimeFormatter.ofPattern(pattern).withZone(ZoneOffset.UTC));
        return dir.resolve(format.format(Instant.ofEpochMilli((long) cycle * rollCycle.lengthInMillis())) + SUFFIX);
    }

    /** A one-line error for a damaged queue file, saying what to do about it. */
    static JournalException damaged(Path file, String problem, Throwable cause) {
        return new JournalException("journal file " + file + " is damaged: " + Messages.oneLine(problem)
                + "; restore the journal directory from a backup, or move this file aside to keep the rest"
                + " (its events are lost); `rkj journal verify` shows the first broken event", cause);
    }
}
