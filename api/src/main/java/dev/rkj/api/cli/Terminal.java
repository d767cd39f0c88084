package dev.rkj.api.cli;

import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.stage1.kernel.KernelException;

/**
 * The user's terminal while {@code rkj run --interactive} is attached: raw mode on and back off,
 * and the window size; the one place rkj changes a terminal's settings. {@link #restore} may run
 * twice (at the end of the relay and in a shutdown hook): the settings {@link #raw} found come
 * back once.
 */
final class Terminal {
    static final int STDIN = 0;
    static final int STDOUT = 1;

    private final Kernel kernel;
    private final int fd;
    private final byte[] saved;
    private boolean restored;

    private Terminal(Kernel kernel, int fd, byte[] saved) {
        this.kernel = kernel;
        this.fd = fd;
        this.saved = saved;
    }

    /** Puts terminal {@code fd} in raw mode (cfmakeraw); null if {@code fd} is not a terminal. */
    static Terminal raw(Kernel kernel, int fd) {
        try {
            byte[] saved = kernel.tcgetattr(fd);
            kernel.tcsetattr(fd, saved, true);
            return new Terminal(kernel, fd, saved);
        } catch (KernelException e) {
            return null; // not a terminal (ENOTTY): relayed as it is
        }
    }

    /** Puts back the settings {@link #raw} found. */
    synchronized void restore() {
        if (!restored) {
            restored = true;
            try {
                kernel.tcsetattr(fd, saved, false);
            } catch (KernelException e) {
                // the terminal is gone (its window was closed): nothing is left to restore
            }
        }
    }

    /** The window size of terminal {@code fd} as {rows, columns}; null if it is no terminal. */
    static int[] size(Kernel kernel, int fd) {
        try {
            return kernel.windowSize(fd);
        } catch (KernelException e) {
            return null;
        }
    }
}
