package dev.rkj.engine.read;

import dev.rkj.stage1.PodDir;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads an app's log as rkj-stage1 keeps it: {@code logs/<app>.1} (the older part, when the log
 * was rotated) then {@code logs/<app>}, and follows it while stage1 writes: each {@link #poll}
 * returns the records appended since the last one. A rotation (stage1 renames {@code logs/<app>}
 * to {@code <app>.1} and begins a new one) is followed: the file being read is drained to its
 * end, then reading goes on with the new one; when two rotations fell between two polls, the
 * {@code <app>.1} between them is read whole. Only a third rotation between two polls loses
 * output (the file it replaced is gone).
 *
 * <p>One instance belongs to one thread. It never writes.
 */
public final class AppLog implements Closeable {
    private final Path log;
    private final Path rotated;
    private FileChannel current;
    private Object currentKey;
    private boolean started;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);

    private AppLog(Path log, Path rotated) {
        this.log = log;
        this.rotated = rotated;
    }

    /** The log of {@code app} in {@code dir}; nothing is opened before the first {@link #poll}. */
    public static AppLog of(PodDir dir, String app) {
        Objects.requireNonNull(app, "app");
        return new AppLog(dir.log(app), dir.rotatedLog(app));
    }

    /** Whether the app has a log (either file). */
    public boolean exists() {
        return Files.exists(log) || Files.exists(rotated);
    }

    /**
     * The whole records appended since the last poll (the first: every record kept, the older
     * file's first). A last line still without its newline waits for the next poll, or for
     * {@link #end}.
     *
     * @throws IOException naming the file that cannot be read
     */
    public List<LogRecord> poll() throws IOException {
        List<LogRecord> out = new ArrayList<>();
        if (!started) {
            started = true;
            openCurrent();
            Object rotatedKey = key(rotated);
            if (rotatedKey != null && !rotatedKey.equals(currentKey)) {
                readWhole(rotated, out);
            }
        }
        while (true) {
            if (current != null) {
                drain(out);
            }
            Object now = key(log);
            if (now == null || now.equals(currentKey)) {
                return out;
            }
            // rotated since the last look: what is left of the old file was drained above
            flushPending(out);
            Object rotatedKey = key(rotated);
            if (current != null && rotatedKey != null && !rotatedKey.equals(currentKey) && !rotatedKey.equals(now)) {
                readWhole(rotated, out); // a second rotation: the file between the two
            }
            closeCurrent();
            openCurrent();
        }
    }

    /** {@link #poll}, then the last line even without its newline: for when stage1 has ended. */
    public List<LogRecord> end() throws IOException {
        List<LogRecord> out = poll();
        flushPending(out);
        return out;
    }

    @Override
    public void close() throws IOException {
        closeCurrent();
    }

    private void openCurrent() throws IOException {
        while (true) {
            Object before = key(log);
            if (before == null) {
                return; // not yet written: a later poll opens it
            }
            FileChannel ch;
            try {
                ch = FileChannel.open(log, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                continue; // renamed between the two: look again
            }
            if (before.equals(key(log))) {
                current = ch;
                currentKey = before;
                return;
            }
            ch.close(); // renamed while it was opened: which file ch is, is not known
        }
    }

    private void closeCurrent() throws IOException {
        if (current != null) {
            current.close();
        }
        current = null;
        currentKey = null;
    }

    private void drain(List<LogRecord> out) throws IOException {
        while (true) {
            buffer.clear();
            int n = current.read(buffer);
            if (n <= 0) {
                return;
            }
            split(buffer.array(), n, out);
        }
    }

    private void readWhole(Path file, List<LogRecord> out) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (true) {
                buffer.clear();
                int n = ch.read(buffer);
                if (n <= 0) {
                    break;
                }
                split(buffer.array(), n, out);
            }
        } catch (NoSuchFileException e) {
            return; // replaced by a later rotation meanwhile: that output is gone
        }
        flushPending(out);
    }

    private void split(byte[] b, int n, List<LogRecord> out) {
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (b[i] == '\n') {
                if (pending.size() > 0) {
                    pending.write(b, start, i - start);
                    byte[] line = pending.toByteArray();
                    pending.reset();
                    out.add(LogRecord.parse(line, 0, line.length));
                } else {
                    out.add(LogRecord.parse(b, start, i - start));
                }
                start = i + 1;
            }
        }
        pending.write(b, start, n - start);
    }

    private void flushPending(List<LogRecord> out) {
        if (pending.size() > 0) {
            byte[] line = pending.toByteArray();
            pending.reset();
            out.add(LogRecord.parse(line, 0, line.length));
        }
    }

    /** The file's identity (device and inode), null when it does not exist. */
    private static Object key(Path file) throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
