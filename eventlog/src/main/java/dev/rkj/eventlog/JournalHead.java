package dev.rkj.eventlog;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The chain's head kept outside the queue files: the index and hash of an envelope the journal
 * is known to have held, in {@code journal/head}. Queue files can be truncated, zeroed or deleted
 * without a trace inside them; this small file says how long the journal once was, so
 * {@link Journal#verify()} can report the loss.
 *
 * <p>One line, {@code rkj-journal-head/1 <index> <hash hex>}, replaced atomically (temp file,
 * fsync, rename, fsync of the directory). It only ever moves forward (under a lock file shared
 * by every process), except when a repair lowers it on purpose ({@link #lowerTo}). Being behind
 * is harmless (a crash may lose the last few updates): it is a lower bound on what was written.
 */
final class JournalHead {
    static final String FILE = "head";
    private static final String LOCK_FILE = "head.lock";
    private static final String MAGIC = "rkj-journal-head/1";
    /** In-JVM exclusion: a JVM cannot hold two file locks on one file. */
    private static final ReentrantLock JVM_LOCK = new ReentrantLock();

    /** A recorded head: envelope {@code index} had {@code hash}. */
    record Head(long index, byte[] hash) {}

    private final Path dir;

    JournalHead(Path dir) {
        this.dir = dir;
    }

    Path file() {
        return dir.resolve(FILE);
    }

    /** The recorded head, or empty if none was ever written (a new journal, or one older than the head file). */
    Optional<Head> read() throws JournalException {
        String text;
        try {
            text = Files.readString(file(), US_ASCII).strip();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new JournalException("journal head file " + file() + " cannot be read (" + Messages.describe(e)
                    + "): check its permissions and the disk", e);
        }
        String[] parts = text.split(" ");
        try {
            if (parts.length != 3 || !parts[0].equals(MAGIC)) {
                throw new IllegalArgumentException("not " + MAGIC);
            }
            byte[] hash = HexFormat.of().parseHex(parts[2]);
            if (hash.length != Envelope.HASH_LENGTH) {
                throw new IllegalArgumentException("hash of " + hash.length + " bytes");
            }
            return Optional.of(new Head(Long.parseLong(parts[1]), hash));
        } catch (IllegalArgumentException e) {
            throw new JournalException("journal head file " + file() + " is damaged (" + Messages.oneLine(e.getMessage())
                    + "): move it aside; the next append writes a new one", e);
        }
    }

    /** Records {@code head} unless the file already holds a later index. */
    void advanceTo(Head head) throws JournalException {
        update(head, false);
    }

    /** Records {@code head} even if it is earlier than the recorded one (after a repair dropped events). */
    void lowerTo(Head head) throws JournalException {
        update(head, true);
    }

    /** Removes the head file (a repair that kept no envelope at all). */
    void clear() throws JournalException {
        try {
            Files.deleteIfExists(file());
        } catch (IOException e) {
            throw new JournalException("journal head file " + file() + " cannot be removed (" + Messages.describe(e)
                    + "): check the directory's permissions", e);
        }
    }

    private void update(Head head, boolean lower) throws JournalException {
        JVM_LOCK.lock();
        try (FileChannel lock = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
             FileLock held = lock.lock()) {
            if (!lower) {
                Optional<Head> current;
                try {
                    current = read();
                } catch (JournalException damaged) {
                    current = Optional.empty(); // replaced by a good one below
                }
                if (current.isPresent() && current.get().index() >= head.index()) {
                    return;
                }
            }
            write(head);
        } catch (IOException e) {
            throw new JournalException("journal head file " + file() + " cannot be written (" + Messages.describe(e)
                    + "): check free space and permissions in " + dir, e);
        } finally {
            JVM_LOCK.unlock();
        }
    }

    private void write(Head head) throws IOException {
        Path temp = dir.resolve(FILE + ".tmp");
        byte[] line = (MAGIC + " " + head.index() + " " + HexFormat.of().formatHex(head.hash()) + "\n").getBytes(US_ASCII);
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
        try {
            Files.move(temp, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file(), StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
