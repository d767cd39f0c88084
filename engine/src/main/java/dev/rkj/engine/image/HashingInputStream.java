package dev.rkj.engine.image;

import java.io.IOException;
import java.io.InputStream;

/**
 * Sits between the decompressor and the tar reader: every byte of the uncompressed tar that
 * passes (reads and skips alike) goes into the digest (computed on a second thread) and the byte count, and the count is held
 * under a limit. It also captures one 512-byte record at a chosen offset, so that the caller can
 * tell a real end-of-archive marker (a zero record) from a truncated stream.
 *
 * <p>Unlike {@link java.security.DigestInputStream}, {@link #skip} reads (so skipped bytes are
 * hashed too) and mark/reset is refused (so no byte is hashed twice).
 */
final class HashingInputStream extends InputStream {
    static final int RECORD = 512;

    /** Signals that more bytes than the limit were read. */
    static final class LimitExceededException extends IOException {
        LimitExceededException(long limit) {
            super("more than " + limit + " uncompressed bytes");
        }
    }

    private final InputStream in;
    private final ParallelDigest digest;
    private final long limit;
    private final byte[] record = new byte[RECORD];
    private final byte[] skipBuffer = new byte[8192];
    private long position;
    private long recordStart = -1;
    private int recordFilled;

    HashingInputStream(InputStream in, ParallelDigest digest, long limit) {
        this.in = in;
        this.digest = digest;
        this.limit = limit;
    }

    /** Bytes read so far. */
    long position() {
        return position;
    }

    /** Starts capturing the record that begins at {@code offset} (at or after the current position). */
    void captureRecordAt(long offset) {
        recordStart = offset;
        recordFilled = 0;
    }

    /** True when the whole captured record was read and is all zeros (a tar end-of-archive record). */
    boolean capturedRecordIsZero() {
        if (recordFilled != RECORD) {
            return false;
        }
        for (byte b : record) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            if (position + n > limit) {
                throw new LimitExceededException(limit);
            }
            digest.update(b, off, n);
            capture(b, off, n);
            position += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = 0;
        while (skipped < n) {
            int r = read(skipBuffer, 0, (int) Math.min(skipBuffer.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    /** Reads to the end of the stream, so the digest covers every byte (padding after the end marker too). */
    void drain() throws IOException {
        byte[] buffer = new byte[1 << 16];
        while (read(buffer, 0, buffer.length) >= 0) {
            // hashed and counted by read
        }
    }

    @Override
    public int available() throws IOException {
        return in.available();
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public void mark(int readlimit) {
        // unsupported: a reset would hash bytes twice
    }

    @Override
    public void reset() throws IOException {
        throw new IOException("mark/reset not supported");
    }

    @Override
    public void close() throws IOException {
        digest.close();
        in.close();
    }

    private void capture(byte[] b, int off, int n) {
        if (recordStart < 0) {
            return;
        }
        long from = Math.max(position, recordStart);
        long to = Math.min(position + n, recordStart + RECORD);
        if (from < to) {
            System.arraycopy(b, off + (int) (from - position), record, (int) (from - recordStart), (int) (to - from));
            recordFilled += (int) (to - from);
        }
    }
}
