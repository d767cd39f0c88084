package dev.rkj.eventlog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Keeps real disk blocks under the journal's write position, so that a full disk makes an append
 * fail with a clear error instead of a fault.
 *
 * <h2>Why</h2>
 * Chronicle writes through a shared memory map of a sparse queue file (a day file is 80 MB long,
 * mapped in 64 MB chunks, but only the pages written take space). When the disk is full, the
 * kernel cannot back the next page it touches and sends SIGBUS, which the JVM raises as an
 * {@link InternalError} ("a fault occurred in a recent unsafe memory access") wherever Chronicle
 * happens to be: in the middle of an excerpt, while scanning for the end, or in a reader of
 * another process. So before an envelope is written into its excerpt, the region it will take,
 * plus {@link #MARGIN} after it for Chronicle's next excerpt header and index arrays, is filled
 * with zeros through {@code pwrite}: that allocates the blocks, and fails with ENOSPC (an
 * {@link IOException}) when they cannot be had. The region is beyond the write position, where
 * every byte is still zero, and the caller holds Chronicle's write lock, so the zeros overwrite
 * nothing.
 *
 * <p>Blocks are taken {@link #AHEAD} at a time so that most appends cost only a comparison; when
 * that much is not free, just what this append needs is taken. Blocks reserved ahead by an earlier
 * append (of any process) need no new space, so the journal keeps working for a while after a
 * pod fills the disk: that is its reserve for the events that report the failure.
 *
 * <p>Used only under the journal's lock (not thread-safe).
 */
final class DiskReserve implements AutoCloseable {
    /** Space kept allocated after every envelope: its next excerpt header plus an index array (32 KB). */
    static final long MARGIN = 128 * 1024;
    /** How far ahead blocks are taken when there is room. */
    static final long AHEAD = 1024 * 1024;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024);

    private final Path dir;
    private Path file;
    private FileChannel channel;
    private long allocatedTo;

    DiskReserve(Path dir) {
        this.dir = dir;
    }

    /**
     * Makes sure {@code [position, position + length + MARGIN)} of {@code file} is backed by disk
     * blocks.
     *
     * @throws JournalException if the disk has no room for it (nothing was written to the journal)
     */
    void ensure(Path file, long position, long length) throws JournalException {
        long needed = position + length + MARGIN;
        if (file.equals(this.file) && allocatedTo >= needed) {
            return;
        }
        try {
            FileChannel ch = channelFor(file);
            long ahead = Math.max(needed, position + AHEAD);
            try {
                fill(ch, position, ahead);
                allocatedTo = ahead;
            } catch (IOException roomForLess) {
                fill(ch, position, needed);
                allocatedTo = needed;
            }
        } catch (IOException e) {
            throw noSpace(dir, length + MARGIN, e);
        }
    }

    /** The error for a journal that cannot get {@code bytes} more on its disk. */
    static JournalException noSpace(Path dir, long bytes, Throwable cause) {
        long mb = Math.max(1, (bytes + (1 << 20) - 1) >> 20);
        return new JournalException("journal: no space left on " + dir + " (needs " + mb + " MB free, "
                + freeSpace(dir) + "): free space there and retry; nothing was appended", cause);
    }

    /** "N MB free" or "free space unknown", for messages. */
    static String freeSpace(Path dir) {
        try {
            return (Files.getFileStore(dir).getUsableSpace() >> 20) + " MB free now";
        } catch (IOException | RuntimeException e) {
            return "free space unknown";
        }
    }

    private FileChannel channelFor(Path file) throws IOException {
        if (!file.equals(this.file)) {
            close();
            channel = FileChannel.open(file, StandardOpenOption.WRITE);
            this.file = file;
            allocatedTo = 0;
        }
        return channel;
    }

    private static void fill(FileChannel ch, long from, long to) throws IOException {
        long at = from;
        while (at < to) {
            ByteBuffer zeros = ZEROS.duplicate();
            zeros.limit((int) Math.min(zeros.capacity(), to - at));
            at += ch.write(zeros, at);
        }
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // a write-only channel with nothing buffered: closing cannot lose data
            }
            channel = null;
            file = null;
            allocatedTo = 0;
        }
    }
}
