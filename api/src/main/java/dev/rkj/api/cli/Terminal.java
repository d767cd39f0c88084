package dev.rkj.api.cli;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The user's terminal while {@code rkj run --interactive} is attached: raw mode on and back off,
 * and the window size. Linux termios through jnr-ffi; the one place rkj changes a terminal's
 * settings. {@link #restore} may run twice (the end of the relay and a shutdown hook): the
 * settings saved by {@link #raw} come back once.
 */
final class Terminal {
    /** The C library calls used here. */
    public interface LibC {
        int isatty(int fd);

        int tcgetattr(int fd, Pointer termios);

        int tcsetattr(int fd, int action, Pointer termios);

        void cfmakeraw(Pointer termios);

        int ioctl(int fd, long request, Pointer arg);
    }

    static final int STDIN = 0;
    static final int STDOUT = 1;
    private static final int TCSANOW = 0;
    private static final long TIOCGWINSZ = 0x5413;
    /** Bigger than glibc's struct termios (60 bytes on Linux). */
    private static final int TERMIOS_SIZE = 256;

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    }

    private final int fd;
    private final Pointer saved;
    private boolean restored;

    private Terminal(int fd, Pointer saved) {
        this.fd = fd;
        this.saved = saved;
    }

    static boolean isTerminal(int fd) {
        return Holder.LIBC.isatty(fd) == 1;
    }

    /** Puts terminal {@code fd} in raw mode (cfmakeraw); null if it is not a terminal. */
    static Terminal raw(int fd) {
        LibC libc = Holder.LIBC;
        Runtime runtime = Runtime.getRuntime(libc);
        Pointer saved = Memory.allocateDirect(runtime, TERMIOS_SIZE);
        Pointer raw = Memory.allocateDirect(runtime, TERMIOS_SIZE);
        if (libc.isatty(fd) != 1 || libc.tcgetattr(fd, saved) < 0 || libc.tcgetattr(fd, raw) < 0) {
            return null;
        }
        libc.cfmakeraw(raw);
        if (libc.tcsetattr(fd, TCSANOW, raw) < 0) {
            return null;
        }
        return new Terminal(fd, saved);
    }

    /** Puts back the settings {@link #raw} found. */
    synchronized void restore() {
        if (!restored) {
            restored = true;
            Holder.LIBC.tcsetattr(fd, TCSANOW, saved);
        }
    }

    /** The window size of terminal {@code fd} as {rows, columns}; null if it has none. */
    static int[] size(int fd) {
        LibC libc = Holder.LIBC;
        Pointer ws = Memory.allocateDirect(Runtime.getRuntime(libc), 8);
        if (libc.isatty(fd) != 1 || libc.ioctl(fd, TIOCGWINSZ, ws) < 0) {
            return null;
        }
        return new int[] {Short.toUnsignedInt(ws.getShort(0)), Short.toUnsignedInt(ws.getShort(2))};
    }
}
