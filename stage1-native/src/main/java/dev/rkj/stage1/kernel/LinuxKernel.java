package dev.rkj.stage1.kernel;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.size_t;
import jnr.ffi.types.u_int64_t;

/**
 * {@link Kernel} on Linux through jnr-ffi and the C library. errno is read right after the
 * failing call, on the same thread. Thread-safe; get the shared instance with {@link #get()}.
 */
public final class LinuxKernel implements Kernel {
    private static final long SYS_PIDFD_SEND_SIGNAL = 424;
    private static final long SYS_PIDFD_OPEN = 434;
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final short POSIX_SPAWN_SETSID = 0x80;
    private static final int POLLIN = 1;
    private static final int O_DIRECTORY = 0200000;
    /** bpf(2) has no common number: x86-64 has its own, arm64 and riscv64 share the generic table. */
    private static final long SYS_BPF = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> 321;
        case "aarch64", "riscv64" -> 280;
        default -> -1;
    };
    private static final int BPF_PROG_LOAD = 5;
    private static final int BPF_PROG_ATTACH = 8;
    private static final int BPF_PROG_TYPE_CGROUP_DEVICE = 15;
    private static final int BPF_CGROUP_DEVICE = 6;
    private static final int BPF_F_ALLOW_MULTI = 2;
    /** Covers the fields used of {@code union bpf_attr}; the kernel reads the rest as zero. */
    private static final int BPF_ATTR_SIZE = 128;
    private static final int BPF_LOG_SIZE = 1 << 16;
    /** Bigger than glibc's posix_spawnattr_t (336), posix_spawn_file_actions_t (80), sigset_t (128). */
    private static final int OPAQUE_SIZE = 1024;
    /** Bigger than glibc's struct termios (60 bytes). */
    private static final int TERMIOS_SIZE = 256;
    private static final int TCSANOW = 0;
    private static final long TIOCGWINSZ = 0x5413;

    /** The C library calls used here. */
    public interface LibC {
        int mount(String source, String target, String fsType, @u_int64_t long flags, String data);

        int umount2(String target, int flags);

        int rmdir(String path);

        int mkdir(String path, int mode);

        int kill(int pid, int signal);

        long syscall(long number, long a1, long a2, long a3, long a4);

        int poll(Pointer fds, long nfds, int timeout);

        int pipe2(@Out int[] fds, int flags);

        long read(int fd, @Out byte[] buffer, @size_t long count);

        long write(int fd, @In byte[] buffer, @size_t long count);

        int close(int fd);

        int open(String path, int flags, int mode);

        int flock(int fd, int operation);

        int waitpid(int pid, @Out int[] status, int options);

        int posix_spawn(@Out int[] pid, String path, Pointer fileActions, Pointer attr,
                        @In String[] argv, @In String[] envp);

        int posix_spawn_file_actions_init(Pointer actions);

        int posix_spawn_file_actions_destroy(Pointer actions);

        int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newFd);

        int posix_spawn_file_actions_addopen(Pointer actions, int fd, String path, int flags, int mode);

        int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int from);

        int posix_spawnattr_init(Pointer attr);

        int posix_spawnattr_destroy(Pointer attr);

        int posix_spawnattr_setflags(Pointer attr, short flags);

        int posix_spawnattr_setsigmask(Pointer attr, Pointer set);

        int posix_spawnattr_setsigdefault(Pointer attr, Pointer set);

        int sigemptyset(Pointer set);

        int sigfillset(Pointer set);

        int tcgetattr(int fd, Pointer termios);

        int tcsetattr(int fd, int action, Pointer termios);

        void cfmakeraw(Pointer termios);

        int ioctl(int fd, long request, Pointer arg);
    }

    private static final class Holder {
        static final LinuxKernel INSTANCE = new LinuxKernel();
    }

    private final LibC libc;
    private final Runtime runtime;

    private LinuxKernel() {
        libc = LibraryLoader.create(LibC.class).load("c");
        runtime = Runtime.getRuntime(libc);
    }

    /** The shared instance (loading the C library once). */
    public static LinuxKernel get() {
        return Holder.INSTANCE;
    }

    private KernelException error(String call, Object subject) {
        return new KernelException(call, subject == null ? null : subject.toString(), runtime.getLastError());
    }

    @Override
    public void mount(String source, Path target, String fsType, long flags, String data) throws KernelException {
        if (libc.mount(source, target.toString(), fsType, flags, data) < 0) {
            throw error("mount", target);
        }
    }

    @Override
    public void umount2(Path target, int flags) throws KernelException {
        if (libc.umount2(target.toString(), flags) < 0) {
            throw error("umount2", target);
        }
    }

    @Override
    public void mkdir(Path dir, int mode) throws KernelException {
        if (libc.mkdir(dir.toString(), mode) < 0 && runtime.getLastError() != Errno.EEXIST) {
            throw error("mkdir", dir);
        }
    }

    @Override
    public void rmdir(Path dir) throws KernelException {
        if (libc.rmdir(dir.toString()) < 0) {
            throw error("rmdir", dir);
        }
    }

    @Override
    public void kill(int pid, int signal) throws KernelException {
        if (libc.kill(pid, signal) < 0) {
            throw error("kill", "pid " + pid);
        }
    }

    @Override
    public int pidfdOpen(int pid) throws KernelException {
        long fd = libc.syscall(SYS_PIDFD_OPEN, pid, 0, 0, 0);
        if (fd < 0) {
            throw error("pidfd_open", "pid " + pid);
        }
        return (int) fd;
    }

    @Override
    public void pidfdSendSignal(int pidfd, int signal) throws KernelException {
        if (libc.syscall(SYS_PIDFD_SEND_SIGNAL, pidfd, signal, 0, 0) < 0) {
            throw error("pidfd_send_signal", "pidfd " + pidfd);
        }
    }

    @Override
    public boolean pollIn(int fd, int timeoutMillis) throws KernelException {
        Pointer pfd = Memory.allocateDirect(runtime, 8);
        pfd.putInt(0, fd);
        pfd.putShort(4, (short) POLLIN);
        pfd.putShort(6, (short) 0);
        int n;
        do {
            n = libc.poll(pfd, 1, timeoutMillis);
        } while (n < 0 && runtime.getLastError() == Errno.EINTR);
        if (n < 0) {
            throw error("poll", "fd " + fd);
        }
        return n > 0 && (pfd.getShort(6) & POLLIN) != 0;
    }

    @Override
    public int pollIn(int[] fds, boolean[] ready, int timeoutMillis) throws KernelException {
        Pointer pfds = Memory.allocateDirect(runtime, 8 * fds.length);
        for (int i = 0; i < fds.length; i++) {
            pfds.putInt(8L * i, fds[i]);
            pfds.putShort(8L * i + 4, (short) POLLIN);
            pfds.putShort(8L * i + 6, (short) 0);
        }
        int n;
        do {
            n = libc.poll(pfds, fds.length, timeoutMillis);
        } while (n < 0 && runtime.getLastError() == Errno.EINTR);
        if (n < 0) {
            throw error("poll", fds.length + " fds");
        }
        for (int i = 0; i < fds.length; i++) {
            ready[i] = pfds.getShort(8L * i + 6) != 0; // POLLIN, POLLHUP, POLLERR or POLLNVAL
        }
        return n;
    }

    @Override
    public int write(int fd, byte[] bytes) throws KernelException {
        long n;
        do {
            n = libc.write(fd, bytes, bytes.length);
        } while (n < 0 && runtime.getLastError() == Errno.EINTR);
        if (n < 0) {
            throw error("write", "fd " + fd);
        }
        return (int) n;
    }

    @Override
    public int[] pipe2(int flags) throws KernelException {
        int[] fds = new int[2];
        if (libc.pipe2(fds, flags) < 0) {
            throw error("pipe2", null);
        }
        return fds;
    }

    @Override
    public int spawn(Path executable, List<String> argv, List<String> env, List<FileAction> actions,
                     boolean newSession) throws KernelException {
        Pointer fa = Memory.allocateDirect(runtime, OPAQUE_SIZE);
        Pointer attr = Memory.allocateDirect(runtime, OPAQUE_SIZE);
        Pointer signals = Memory.allocateDirect(runtime, OPAQUE_SIZE);
        check("posix_spawn_file_actions_init", executable, libc.posix_spawn_file_actions_init(fa));
        try {
            check("posix_spawnattr_init", executable, libc.posix_spawnattr_init(attr));
            try {
                for (FileAction action : actions) {
                    addAction(fa, action);
                }
                libc.sigemptyset(signals);
                check("posix_spawnattr_setsigmask", executable, libc.posix_spawnattr_setsigmask(attr, signals));
                libc.sigfillset(signals);
                check("posix_spawnattr_setsigdefault", executable, libc.posix_spawnattr_setsigdefault(attr, signals));
                short flags = (short) (POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | (newSession ? POSIX_SPAWN_SETSID : 0));
                check("posix_spawnattr_setflags", executable, libc.posix_spawnattr_setflags(attr, flags));
                int[] pid = new int[1];
                check("posix_spawn", executable, libc.posix_spawn(pid, executable.toString(), fa, attr,
                        argv.toArray(new String[0]), env.toArray(new String[0])));
                return pid[0];
            } finally {
                libc.posix_spawnattr_destroy(attr);
            }
        } finally {
            libc.posix_spawn_file_actions_destroy(fa);
        }
    }

    private void addAction(Pointer fa, FileAction action) throws KernelException {
        if (action instanceof FileAction.Dup2 d) {
            check("posix_spawn_file_actions_adddup2", "fd " + d.to(), libc.posix_spawn_file_actions_adddup2(fa, d.from(), d.to()));
        } else if (action instanceof FileAction.Open o) {
            check("posix_spawn_file_actions_addopen", o.path(),
                    libc.posix_spawn_file_actions_addopen(fa, o.fd(), o.path().toString(), o.flags(), o.mode()));
        } else if (action instanceof FileAction.CloseFrom c) {
            check("posix_spawn_file_actions_addclosefrom_np", "fd " + c.lowest(),
                    libc.posix_spawn_file_actions_addclosefrom_np(fa, c.lowest()));
        }
    }

    /** posix_spawn* return the error number instead of setting errno. */
    private static void check(String call, Object subject, int result) throws KernelException {
        if (result != 0) {
            throw new KernelException(call, subject.toString(), result);
        }
    }

    @Override
    public int read(int fd, byte[] buffer) throws KernelException {
        long n;
        do {
            n = libc.read(fd, buffer, buffer.length);
        } while (n < 0 && runtime.getLastError() == Errno.EINTR);
        if (n < 0) {
            throw error("read", "fd " + fd);
        }
        return (int) n;
    }

    @Override
    public void close(int fd) throws KernelException {
        if (libc.close(fd) < 0) {
            throw error("close", "fd " + fd);
        }
    }

    @Override
    public int open(Path path, int flags, int mode) throws KernelException {
        int fd = libc.open(path.toString(), flags, mode);
        if (fd < 0) {
            throw error("open", path);
        }
        return fd;
    }

    @Override
    public boolean flock(int fd, int operation) throws KernelException {
        while (libc.flock(fd, operation) < 0) {
            int errno = runtime.getLastError();
            if (errno == Errno.EWOULDBLOCK && (operation & LOCK_NB) != 0) {
                return false;
            }
            if (errno != Errno.EINTR) {
                throw new KernelException("flock", "fd " + fd, errno);
            }
        }
        return true;
    }

    @Override
    public int waitpid(int pid) throws KernelException {
        int[] status = new int[1];
        while (libc.waitpid(pid, status, 0) < 0) {
            int errno = runtime.getLastError();
            if (errno != Errno.EINTR) {
                throw new KernelException("waitpid", "pid " + pid, errno);
            }
        }
        return status[0];
    }

    @Override
    public int bpfLoadDeviceProgram(byte[] instructions) throws KernelException {
        String subject = "cgroup device program of " + instructions.length / 8 + " instructions";
        if (SYS_BPF < 0 || ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new KernelException("bpf", subject, Errno.ENOSYS,
                    "rkj builds device programs for little-endian x86-64, arm64 and riscv64 only, not "
                            + System.getProperty("os.arch"));
        }
        Pointer code = Memory.allocateDirect(runtime, instructions.length);
        code.put(0, instructions, 0, instructions.length);
        byte[] gpl = "GPL\0".getBytes(StandardCharsets.US_ASCII);
        Pointer license = Memory.allocateDirect(runtime, gpl.length);
        license.put(0, gpl, 0, gpl.length);
        Pointer attr = Memory.allocateDirect(runtime, BPF_ATTR_SIZE, true);
        attr.putInt(0, BPF_PROG_TYPE_CGROUP_DEVICE);
        attr.putInt(4, instructions.length / 8);
        attr.putLong(8, code.address());
        attr.putLong(16, license.address());
        long fd = libc.syscall(SYS_BPF, BPF_PROG_LOAD, attr.address(), BPF_ATTR_SIZE, 0);
        if (fd >= 0) {
            return (int) fd;
        }
        int errno = runtime.getLastError();
        // again with the verifier's log, to say why
        Pointer log = Memory.allocateDirect(runtime, BPF_LOG_SIZE, true);
        attr.putInt(24, 1);
        attr.putInt(28, BPF_LOG_SIZE);
        attr.putLong(32, log.address());
        fd = libc.syscall(SYS_BPF, BPF_PROG_LOAD, attr.address(), BPF_ATTR_SIZE, 0);
        if (fd >= 0) {
            return (int) fd;
        }
        List<String> lines = log.getString(0, BPF_LOG_SIZE, StandardCharsets.US_ASCII).strip().lines().toList();
        String said = lines.isEmpty() ? null
                : "the verifier said: " + String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        throw new KernelException("bpf", subject, errno, said);
    }

    @Override
    public void bpfAttachDeviceProgram(int programFd, Path cgroupDir) throws KernelException {
        int dir = open(cgroupDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        try {
            Pointer attr = Memory.allocateDirect(runtime, BPF_ATTR_SIZE, true);
            attr.putInt(0, dir);
            attr.putInt(4, programFd);
            attr.putInt(8, BPF_CGROUP_DEVICE);
            attr.putInt(12, BPF_F_ALLOW_MULTI);
            if (libc.syscall(SYS_BPF, BPF_PROG_ATTACH, attr.address(), BPF_ATTR_SIZE, 0) < 0) {
                throw new KernelException("bpf", cgroupDir.toString(), runtime.getLastError(),
                        "BPF_PROG_ATTACH of the pod's device program to its cgroup failed");
            }
        } finally {
            libc.close(dir);
        }
    }

    @Override
    public byte[] tcgetattr(int fd) throws KernelException {
        Pointer termios = Memory.allocateDirect(runtime, TERMIOS_SIZE);
        if (libc.tcgetattr(fd, termios) < 0) {
            throw error("tcgetattr", "fd " + fd);
        }
        byte[] settings = new byte[TERMIOS_SIZE];
        termios.get(0, settings, 0, TERMIOS_SIZE);
        return settings;
    }

    @Override
    public void tcsetattr(int fd, byte[] settings, boolean raw) throws KernelException {
        Pointer termios = Memory.allocateDirect(runtime, TERMIOS_SIZE);
        termios.put(0, settings, 0, Math.min(settings.length, TERMIOS_SIZE));
        if (raw) {
            libc.cfmakeraw(termios);
        }
        int rc;
        do {
            rc = libc.tcsetattr(fd, TCSANOW, termios);
        } while (rc < 0 && runtime.getLastError() == Errno.EINTR);
        if (rc < 0) {
            throw error("tcsetattr", "fd " + fd);
        }
    }

    @Override
    public int[] windowSize(int fd) throws KernelException {
        Pointer ws = Memory.allocateDirect(runtime, 8);
        if (libc.ioctl(fd, TIOCGWINSZ, ws) < 0) {
            throw error("ioctl(TIOCGWINSZ)", "fd " + fd);
        }
        return new int[] {Short.toUnsignedInt(ws.getShort(0)), Short.toUnsignedInt(ws.getShort(2))};
    }
}
