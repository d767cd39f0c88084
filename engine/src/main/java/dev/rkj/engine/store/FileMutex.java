package dev.rkj.engine.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A shared/exclusive lock on a lock file that holds across threads AND processes: a JVM
 * read-write lock (Java's file locks are per process and refuse overlapping locks in one JVM),
 * then an {@code fcntl} lock on the file, taken by the first holder in this JVM and released by
 * the last. One instance per lock file per JVM ({@link #of}). The kernel drops the file lock when
 * a process dies, so a crashed holder never leaves the store locked.
 */
final class FileMutex {
    private static final ConcurrentHashMap<Path, FileMutex> BY_FILE = new ConcurrentHashMap<>();

    private final Path file;
    private final ReentrantReadWriteLock jvm = new ReentrantReadWriteLock();
    private final Object os = new Object();
    private int holders; // guarded by os
    private FileChannel channel; // guarded by os
    private FileLock lock; // guarded by os

    /** Held until closed; close once, on the thread that acquired it. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    private FileMutex(Path file) {
        this.file = file;
    }

    /** The lock for {@code file} (created when first locked, never deleted by this class). */
    static FileMutex of(Path file) {
        return BY_FILE.computeIfAbsent(file.toAbsolutePath().normalize(), FileMutex::new);
    }

    Path file() {
        return file;
    }

    /** Blocks until no exclusive holder remains, in this or any process. */
    Held shared() throws IOException {
        return acquire(jvm.readLock(), true);
    }

    /** Blocks until nobody else holds it, in this or any process. */
    Held exclusive() throws IOException {
        return acquire(jvm.writeLock(), false);
    }

    private Held acquire(Lock inJvm, boolean shared) throws IOException {
        inJvm.lock();
        try {
            synchronized (os) {
                if (holders == 0) {
                    FileChannel opened = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                            StandardOpenOption.WRITE);
                    try {
                        lock = opened.lock(0, Long.MAX_VALUE, shared);
                    } catch (IOException | RuntimeException e) {
                        try {
                            opened.close();
                        } catch (IOException closing) {
                            e.addSuppressed(closing);
                        }
                        throw e;
                    }
                    channel = opened;
                }
                holders++;
            }
        } catch (IOException | RuntimeException e) {
            inJvm.unlock();
            throw new IOException("cannot lock " + file + ": " + e.getMessage(), e);
        }
        return () -> release(inJvm);
    }

    private void release(Lock inJvm) {
        try {
            synchronized (os) {
                if (--holders == 0) {
                    FileChannel closing = channel;
                    channel = null;
                    lock = null;
                    closing.close(); // releases the file lock too
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release the lock on " + file, e);
        } finally {
            inJvm.unlock();
        }
    }
}
