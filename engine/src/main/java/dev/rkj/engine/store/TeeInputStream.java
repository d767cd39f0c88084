package dev.rkj.engine.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Copies every byte read to {@code copy}, so a file is stored while it is read once. Closing it
 * does not close the underlying stream or the copy (their owner does); {@link #drain} copies
 * what the reader left unread.
 */
final class TeeInputStream extends FilterInputStream {
    private final OutputStream copy;
    private final java.util.function.LongConsumer progress;
    private final long step;
    private long count;
    private long reported;

    /**
     * Writing the copy failed (a full disk, say): the reader sees this as a read failure, and
     * whoever wrapped it finds the real cause in its cause chain ({@link #in}).
     */
    static final class CopyFailedException extends IOException {
        private static final long serialVersionUID = 1L;

        CopyFailedException(IOException cause) {
            super("writing the copy failed: " + cause.getMessage(), cause);
        }

        /** The write failure somewhere in {@code t}'s cause chain, if any. */
        static IOException in(Throwable t) {
            for (Throwable c = t; c != null; c = c.getCause()) {
                if (c instanceof CopyFailedException copy) {
                    return (IOException) copy.getCause();
                }
            }
            return null;
        }
    }

    TeeInputStream(InputStream in, OutputStream copy) {
        this(in, copy, bytes -> { }, Long.MAX_VALUE);
    }

    /** As {@link #TeeInputStream(InputStream, OutputStream)}, telling {@code progress} the count every {@code step} bytes. */
    TeeInputStream(InputStream in, OutputStream copy, java.util.function.LongConsumer progress, long step) {
        super(in);
        this.copy = copy;
        this.progress = progress;
        this.step = step;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            write(b);
            counted(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = in.read(buffer, offset, length);
        if (n > 0) {
            write(buffer, offset, n);
            counted(n);
        }
        return n;
    }

    private void counted(int n) {
        count += n;
        if (count - reported >= step) {
            reported = count;
            progress.accept(count);
        }
    }

    private void write(int b) throws CopyFailedException {
        try {
            copy.write(b);
        } catch (IOException e) {
            throw new CopyFailedException(e);
        }
    }

    private void write(byte[] buffer, int offset, int n) throws CopyFailedException {
        try {
            copy.write(buffer, offset, n);
        } catch (IOException e) {
            throw new CopyFailedException(e);
        }
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[(int) Math.min(n, 1 << 16)];
        int read = read(buffer, 0, buffer.length);
        return Math.max(read, 0);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Reads and copies the rest of the underlying stream. */
    void drain() throws IOException {
        byte[] buffer = new byte[1 << 16];
        while (read(buffer, 0, buffer.length) >= 0) {
            // copied by read
        }
    }

    /** Bytes copied so far. */
    long count() {
        return count;
    }

    @Override
    public void close() {
        // the owner closes the underlying stream and the copy
    }
}
