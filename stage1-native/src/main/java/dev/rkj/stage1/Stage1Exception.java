package dev.rkj.stage1;

import dev.rkj.stage1.kernel.Errno;

/**
 * The pod failed before its app ran (a missing binary, an unknown user, a mount the kernel
 * refused): reported by rkj-stage1 with the call, its subject and errno. Never an app's exit.
 */
public class Stage1Exception extends Exception {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final String path;
    private final int errno;
    private final String detail;

    public Stage1Exception(String call, String path, int errno, String detail) {
        super(message(call, path, errno, detail));
        this.call = call;
        this.path = path;
        this.errno = errno;
        this.detail = detail;
    }

    private static String message(String call, String path, int errno, String detail) {
        String head = "pod failed to start: " + call + (path == null ? "" : " `" + path + "`")
                + (errno == 0 ? "" : ": " + Errno.name(errno));
        return detail == null || detail.isEmpty() ? head : head + " (" + detail + ")";
    }

    /** The call that failed, such as {@code execve} or {@code mount}. */
    public String call() {
        return call;
    }

    /** Its subject (a path, an app), or null. */
    public String path() {
        return path;
    }

    public int errno() {
        return errno;
    }

    /** rkj-stage1's own words, such as "No such file or directory". */
    public String detail() {
        return detail;
    }
}
