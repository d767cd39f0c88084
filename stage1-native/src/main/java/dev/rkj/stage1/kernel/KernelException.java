package dev.rkj.stage1.kernel;

import java.io.IOException;

/**
 * A failed kernel call: the call, its subject and errno, with a message such as
 * {@code mount `/x/rootfs`: EBUSY (Device or resource busy)} and, where one helps, what to do.
 */
public class KernelException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final String path;
    private final int errno;

    public KernelException(String call, String path, int errno) {
        this(call, path, errno, null);
    }

    /** {@code hint} (may be null) is appended after the errno: what it means here, what to do. */
    public KernelException(String call, String path, int errno, String hint) {
        super(format(call, path, errno) + (hint == null ? "" : ": " + hint));
        this.call = call;
        this.path = path;
        this.errno = errno;
    }

    static String format(String call, String path, int errno) {
        return call + (path == null ? "" : " `" + path + "`") + ": " + Errno.format(errno);
    }

    /** The system call, such as {@code mount}. */
    public String call() {
        return call;
    }

    /** What it was called on (a path, a pid...), or null. */
    public String path() {
        return path;
    }

    public int errno() {
        return errno;
    }

    /** {@code EBUSY}. */
    public String errnoName() {
        return Errno.name(errno);
    }
}
