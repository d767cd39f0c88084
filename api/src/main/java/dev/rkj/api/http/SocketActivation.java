package dev.rkj.api.http;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jnr.ffi.LibraryLoader;

/**
 * systemd socket activation ({@code sd_listen_fds(3)}): the daemon's unix socket, bound and listening
 * already, passed as fd 3 by {@code rkj.socket} (or {@code systemd-socket-activate}) with
 * {@code LISTEN_PID} and {@code LISTEN_FDS=1}. Checked before use: one socket, a listening AF_UNIX
 * stream socket with a path (the CLI finds the daemon by path). The {@code LISTEN_*} variables are
 * removed from the daemon's environment, so the processes it starts do not take them.
 */
public final class SocketActivation {
    /** The first fd systemd passes ({@code SD_LISTEN_FDS_START}). */
    static final int FD = 3;
    private static final List<String> VARIABLES = List.of("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES");
    private static final String LISTENING = "00010000"; // __SO_ACCEPTCON in /proc/net/unix's Flags
    private static final String STREAM = "0001"; // SOCK_STREAM
    private static final int F_GETFD = 1;
    private static final int F_SETFD = 2;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int FD_CLOEXEC = 1;
    private static final int O_NONBLOCK = 04000;

    private SocketActivation() {
    }

    /** The socket systemd passed: fd {@code fd}, bound at {@code path}. */
    public record Inherited(int fd, Path path) {
    }

    /**
     * The socket systemd passed to this process, made close-on-exec and non-blocking; null if none was (no
     * {@code LISTEN_PID}, or another process's). Removes the {@code LISTEN_*} variables either way.
     *
     * @throws IllegalStateException naming what was passed and what rkj needs instead
     */
    public static Inherited fromSystemd() {
        Map<String, String> env = System.getenv();
        String pid = env.get("LISTEN_PID");
        String fds = env.get("LISTEN_FDS");
        if (pid == null && fds == null) {
            return null;
        }
        unsetVariables();
        if (!Long.toString(ProcessHandle.current().pid()).equals(pid)) {
            return null; // meant for another process (sd_listen_fds does the same)
        }
        if (!"1".equals(fds)) {
            throw new IllegalStateException("systemd passed LISTEN_FDS=" + fds + " sockets; rkj daemon takes exactly one,"
                    + " a unix stream socket: give rkj.socket one ListenStream=/run/rkj/api.sock and nothing else");
        }
        Path path = check(FD);
        closeOnExecNonBlocking(FD);
        return new Inherited(FD, path);
    }

    /** The path of {@code fd} if it is a listening AF_UNIX stream socket with one, as {@code /proc/net/unix} says. */
    static Path check(int fd) {
        String what;
        try {
            what = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException e) {
            throw new IllegalStateException("systemd said it passed a socket as fd " + fd + " (LISTEN_FDS=1), but fd " + fd
                    + " is not open: start rkj daemon from rkj.socket, or without LISTEN_PID and LISTEN_FDS", e);
        }
        if (!what.startsWith("socket:[")) {
            throw new IllegalStateException("fd " + fd + " from systemd is " + what + ", not a socket: rkj.socket needs"
                    + " ListenStream=/run/rkj/api.sock");
        }
        String inode = what.substring("socket:[".length(), what.length() - 1);
        List<String> table;
        try {
            table = Files.readAllLines(Path.of("/proc/net/unix"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/net/unix to check the socket systemd passed: " + e.getMessage(), e);
        }
        for (String line : table.subList(Math.min(1, table.size()), table.size())) {
            // Num RefCount Protocol Flags Type St Inode [Path]
            String[] f = line.trim().split("\\s+", 8);
            if (f.length < 7 || !f[6].equals(inode)) {
                continue;
            }
            if (!f[4].equals(STREAM)) {
                throw new IllegalStateException("the unix socket systemd passed is not a stream socket: rkj.socket needs"
                        + " ListenStream=/run/rkj/api.sock, not ListenDatagram= or ListenSequentialPacket=");
            }
            if (!f[3].equals(LISTENING)) {
                throw new IllegalStateException("the unix socket systemd passed does not listen: rkj daemon needs a"
                        + " listening socket (rkj.socket with Accept=no)");
            }
            if (f.length < 8 || f[7].startsWith("@")) {
                throw new IllegalStateException("the unix socket systemd passed has no path: rkj.socket needs"
                        + " ListenStream=/run/rkj/api.sock (a file, so that clients find it)");
            }
            return Path.of(f[7]);
        }
        throw new IllegalStateException("fd " + fd + " from systemd is not a unix socket: rkj.socket needs"
                + " ListenStream=/run/rkj/api.sock, a path, not an address or port");
    }

    /** What of the C library this needs: fcntl(2) with an int argument, unsetenv(3). */
    public interface LibC {
        int fcntl(int fd, int cmd, int arg);

        int unsetenv(String name);
    }

    /**
     * As {@code sd_listen_fds} does, close-on-exec (no process the daemon starts gets the socket);
     * and non-blocking, as systemd passes it blocking and Netty's event loop must never wait in accept(2).
     */
    private static void closeOnExecNonBlocking(int fd) {
        LibC libc = libc();
        int fdFlags = libc.fcntl(fd, F_GETFD, 0);
        int flags = libc.fcntl(fd, F_GETFL, 0);
        if (fdFlags < 0 || flags < 0 || libc.fcntl(fd, F_SETFD, fdFlags | FD_CLOEXEC) < 0
                || libc.fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
            throw new IllegalStateException("cannot make the socket systemd passed (fd " + fd + ") non-blocking and"
                    + " close-on-exec: fcntl failed with errno " + jnr.ffi.Runtime.getRuntime(libc).getLastError());
        }
    }

    /**
     * Removes {@code LISTEN_*} from the process's environment (which a child inherits when its
     * ProcessBuilder's environment is left alone) and from the JVM's copy (which the others start from).
     */
    @SuppressWarnings("unchecked")
    private static void unsetVariables() {
        LibC libc = libc();
        for (String variable : VARIABLES) {
            if (libc.unsetenv(variable) != 0) {
                throw new IllegalStateException("cannot remove " + variable + " from the daemon's environment: unsetenv"
                        + " failed with errno " + jnr.ffi.Runtime.getRuntime(libc).getLastError());
            }
        }
        try {
            Map<String, String> env = System.getenv();
            Field inner = env.getClass().getDeclaredField("m"); // Collections.UnmodifiableMap over the live one
            inner.setAccessible(true);
            Map<String, String> live = (Map<String, String>) inner.get(env);
            VARIABLES.forEach(live::remove);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot remove LISTEN_PID and LISTEN_FDS from the daemon's environment (" + e.getMessage()
                    + "): run rkj with its jar's manifest (java -jar) or --add-opens java.base/java.util=ALL-UNNAMED", e);
        }
    }

    private static LibC libc() {
        return LibraryLoader.create(LibC.class).load("c");
    }
}
