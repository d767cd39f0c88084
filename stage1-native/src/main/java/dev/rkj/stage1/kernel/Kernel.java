package dev.rkj.stage1.kernel;

import java.nio.file.Path;
import java.util.List;

/**
 * The host-side kernel calls of rkj, in one place: {@link LinuxKernel} makes them, a recording
 * fake stands in for it in unit tests. Every failure is a {@link KernelException} naming the
 * call, its subject and errno.
 *
 * <p>Namespaces are never entered here: a JVM is multi-threaded, so that work belongs to the
 * native {@code rkj-stage1}.
 */
public interface Kernel {
    long MS_RDONLY = 1;
    long MS_NOSUID = 2;
    long MS_NODEV = 4;
    long MS_BIND = 4096;
    long MS_REC = 16384;
    long MS_PRIVATE = 1 << 18;

    int MNT_DETACH = 2;

    int O_RDONLY = 0;
    int O_WRONLY = 1;
    int O_RDWR = 2;
    int O_CREAT = 0100;
    int O_TRUNC = 01000;
    int O_APPEND = 02000;
    int O_DIRECTORY = 0200000;
    int O_NOFOLLOW = 0400000;
    int O_PATH = 010000000;
    int O_CLOEXEC = 02000000;

    int LOCK_SH = 1;
    int LOCK_EX = 2;
    int LOCK_NB = 4;
    int LOCK_UN = 8;

    int SIGKILL = 9;
    int SIGTERM = 15;

    void mount(String source, Path target, String fsType, long flags, String data) throws KernelException;

    void umount2(Path target, int flags) throws KernelException;

    /** mkdir(2); EEXIST is success. On cgroupfs this creates a cgroup with its control files. */
    void mkdir(Path dir, int mode) throws KernelException;

    /** rmdir(2): on cgroupfs this removes a cgroup (EBUSY while it has processes). */
    void rmdir(Path dir) throws KernelException;

    void kill(int pid, int signal) throws KernelException;

    /** A pidfd for {@code pid}: signals sent through it cannot reach a recycled PID. */
    int pidfdOpen(int pid) throws KernelException;

    void pidfdSendSignal(int pidfd, int signal) throws KernelException;

    /** True when {@code fd} is readable within {@code timeoutMillis} (a pidfd: the process ended). */
    boolean pollIn(int fd, int timeoutMillis) throws KernelException;

    /**
     * poll(2) for input on every one of {@code fds}: sets {@code ready[i]} when {@code fds[i]} is
     * readable, hung up or in error (a read then returns data, 0 or the error), and returns how many
     * are; 0 after {@code timeoutMillis} (-1 waits for ever).
     */
    int pollIn(int[] fds, boolean[] ready, int timeoutMillis) throws KernelException;

    /** write(2): the count written. */
    int write(int fd, byte[] bytes) throws KernelException;

    /** pipe2(2): {@code [read end, write end]}. */
    int[] pipe2(int flags) throws KernelException;

    /**
     * posix_spawn(3) with the file actions applied in order, all signals unblocked and at their
     * default disposition; {@code newSession} adds POSIX_SPAWN_SETSID. Returns the child's pid.
     */
    int spawn(Path executable, List<String> argv, List<String> env, List<FileAction> actions,
              boolean newSession) throws KernelException;

    /** read(2): the count read, 0 at end of file. */
    int read(int fd, byte[] buffer) throws KernelException;

    void close(int fd) throws KernelException;

    int open(Path path, int flags, int mode) throws KernelException;

    /** flock(2); with LOCK_NB, false when someone else holds a conflicting lock (EWOULDBLOCK). */
    boolean flock(int fd, int operation) throws KernelException;

    /** waitpid(2), blocking: the raw wait status. */
    int waitpid(int pid) throws KernelException;

    /**
     * bpf(2) {@code BPF_PROG_LOAD} of a {@code BPF_PROG_TYPE_CGROUP_DEVICE} program: its fd. A
     * program the verifier refuses fails with the verifier's last words in the message.
     *
     * @param instructions {@code struct bpf_insn}s, 8 bytes each, little-endian
     */
    int bpfLoadDeviceProgram(byte[] instructions) throws KernelException;

    /**
     * bpf(2) {@code BPF_PROG_ATTACH} of a loaded device program to a cgroup2 directory
     * ({@code BPF_CGROUP_DEVICE}, {@code BPF_F_ALLOW_MULTI}: it runs beside the programs of the
     * cgroups above). It stays attached, and loaded, until the cgroup is removed: close the fd
     * after this.
     */
    void bpfAttachDeviceProgram(int programFd, Path cgroupDir) throws KernelException;

    /** tcgetattr(3): terminal {@code fd}'s settings, an opaque struct termios; ENOTTY when it is none. */
    byte[] tcgetattr(int fd) throws KernelException;

    /** tcsetattr(3), TCSANOW: settings {@link #tcgetattr} returned, made raw first (cfmakeraw(3)) if asked. */
    void tcsetattr(int fd, byte[] termios, boolean raw) throws KernelException;

    /** ioctl(2) TIOCGWINSZ: terminal {@code fd}'s window size, {rows, columns}. */
    int[] windowSize(int fd) throws KernelException;
}
