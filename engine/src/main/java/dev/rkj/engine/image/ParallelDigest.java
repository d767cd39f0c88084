package dev.rkj.engine.image;

import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Feeds a {@link MessageDigest} on a second thread, so that SHA-512 (about a third of a core's
 * throughput on its own) overlaps decompression and file writing. Bytes are copied into
 * 256 KiB chunks and handed over in order through a short queue; chunks are recycled.
 *
 * <p>One producer thread calls {@link #update} and then {@link #finish} (or {@link #close} to
 * abandon). The worker thread ends in either case.
 */
final class ParallelDigest implements AutoCloseable {
    private static final int CHUNK = 1 << 18;
    private static final int DEPTH = 4;

    private record Chunk(byte[] bytes, int length) {}

    private static final Chunk END = new Chunk(new byte[0], -1);

    private final MessageDigest digest;
    private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(DEPTH + 1);
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(DEPTH + 2);
    private final Thread worker;
    private byte[] current;
    private int filled;
    private boolean ended;
    private volatile RuntimeException failure;

    ParallelDigest(MessageDigest digest, String name) {
        this.digest = digest;
        for (int i = 0; i < DEPTH + 2; i++) {
            free.add(new byte[CHUNK]);
        }
        this.worker = new Thread(this::digestChunks, "rkj-sha512 " + name);
        worker.setDaemon(true);
        worker.start();
    }

    /** Adds {@code length} bytes from {@code bytes} at {@code offset}; blocks while the worker is behind. */
    void update(byte[] bytes, int offset, int length) throws InterruptedIOException {
        while (length > 0) {
            if (current == null) {
                current = take(free);
                filled = 0;
            }
            int n = Math.min(length, CHUNK - filled);
            System.arraycopy(bytes, offset, current, filled, n);
            filled += n;
            offset += n;
            length -= n;
            if (filled == CHUNK) {
                put(new Chunk(current, filled));
                current = null;
            }
        }
    }

    /** Waits for every byte to be digested and returns the digest (the MessageDigest is reset). */
    byte[] finish() throws InterruptedIOException {
        if (current != null && filled > 0) {
            put(new Chunk(current, filled));
            current = null;
        }
        put(END);
        ended = true;
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for the SHA-512 digest");
        }
        if (failure != null) {
            throw new IllegalStateException("the SHA-512 digest failed", failure);
        }
        return digest.digest();
    }

    /** Stops the worker if {@link #finish} was not called. */
    @Override
    public void close() {
        if (!ended) {
            ended = true;
            worker.interrupt();
        }
    }

    private void digestChunks() {
        try {
            while (true) {
                Chunk chunk = full.take();
                if (chunk == END) {
                    return;
                }
                if (failure == null) {
                    try {
                        digest.update(chunk.bytes(), 0, chunk.length());
                    } catch (RuntimeException e) {
                        failure = e; // keep draining so the producer never blocks; finish() reports it
                    }
                }
                free.put(chunk.bytes());
            }
        } catch (InterruptedException e) {
            // abandoned by close()
        }
    }

    private void put(Chunk chunk) throws InterruptedIOException {
        try {
            full.put(chunk);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while hashing");
        }
    }

    private static byte[] take(BlockingQueue<byte[]> queue) throws InterruptedIOException {
        try {
            return queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while hashing");
        }
    }
}
