package dev.rkj.stage1.kernel;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.stream.Stream;

/**
 * A {@link Kernel} for unit tests: records every call, fails the calls a test scripts with the
 * errno it names, and keeps just enough state to be believable: a mount table (readable as
 * {@link #mountInfo()}), open fds, held flocks, and, under {@link #emulateCgroupfs}, cgroupfs
 * semantics for mkdir/rmdir in a temp dir (control files appear with the directory; rmdir
 * removes them, and fails EBUSY while {@code cgroup.procs} lists a process).
 */
public final class RecordingKernel implements Kernel {
    /** One call: its name and arguments as given. */
    public record Call(String name, List<Object> args) {
        @Override
        public String toString() {
            return name + args;
        }
    }

    private record Mounted(String source, Path target, String fsType, String data) {}

    private final List<Call> calls = new ArrayList<>();
    private final Map<String, Deque<Integer>> failures = new HashMap<>();
    private final List<Mounted> mounts = new ArrayList<>();
    private final Set<Path> cgroupRoots = new HashSet<>();
    private final Map<Integer, Path> openFiles = new HashMap<>();
    private final Set<Path> heldLocks = new HashSet<>();
    private final Map<Integer, IntConsumer> killHooks = new HashMap<>();
    private int nextFd = 100;
    private int nextPid = 1000;

    /** The next {@code times} calls named {@code call} fail with {@code errno}. */
    public synchronized RecordingKernel failNext(String call, int errno, int times) {
        Deque<Integer> q = failures.computeIfAbsent(call, k -> new ArrayDeque<>());
        for (int i = 0; i < times; i++) {
            q.add(errno);
        }
        return this;
    }

    public RecordingKernel failNext(String call, int errno) {
        return failNext(call, errno, 1);
    }

    /** mkdir/rmdir below {@code root} behave as on cgroupfs. */
    public synchronized RecordingKernel emulateCgroupfs(Path root) {
        cgroupRoots.add(root.toAbsolutePath().normalize());
        return this;
    }

    /** Someone else holds an exclusive flock on {@code file}. */
    public synchronized RecordingKernel holdLock(Path file) {
        heldLocks.add(file.toAbsolutePath().normalize());
        return this;
    }

    /** Runs {@code hook} with the signal when {@code pid} is sent one (e.g. to empty a fake cgroup). */
    public synchronized RecordingKernel onKill(int pid, IntConsumer hook) {
        killHooks.put(pid, hook);
        return this;
    }

    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    public synchronized List<Call> calls(String name) {
        return calls.stream().filter(c -> c.name().equals(name)).toList();
    }

    /** The recorded mounts as a mount table, in the kernel's format. */
    public synchronized MountInfo mountInfo() {
        StringBuilder text = new StringBuilder();
        int id = 100;
        for (Mounted m : mounts) {
            text.append(id).append(' ').append(id - 1).append(" 0:99 / ").append(m.target()).append(" rw - ")
                    .append(m.fsType()).append(' ').append(m.source()).append(" rw")
                    .append(m.data() == null ? "" : "," + m.data()).append('\n');
            id++;
        }
        return MountInfo.parse(text.toString());
    }

    private void record(String name, Object subject, Object... args) throws KernelException {
        List<Object> all = new ArrayList<>();
        all.add(subject);
        all.addAll(Arrays.asList(args));
        calls.add(new Call(name, all));
        Deque<Integer> q = failures.get(name);
        if (q != null && !q.isEmpty()) {
            throw new KernelException(name, String.valueOf(subject), q.poll());
        }
    }

    @Override
    public synchronized void mount(String source, Path target, String fsType, long flags, String data)
            throws KernelException {
        record("mount", target, source, fsType, flags, data);
        mounts.add(new Mounted(source, target.toAbsolutePath().normalize(), fsType, data));
    }

    @Override
    public synchronized void umount2(Path target, int flags) throws KernelException {
        record("umount2", target, flags);
        Path t = target.toAbsolutePath().normalize();
        for (int i = mounts.size() - 1; i >= 0; i--) {
            if (mounts.get(i).target().equals(t)) {
                mounts.remove(i);
                return;
            }
        }
        throw new KernelException("umount2", target.toString(), Errno.EINVAL);
    }

    private boolean inCgroupfs(Path dir) {
        Path d = dir.toAbsolutePath().normalize();
        return cgroupRoots.stream().anyMatch(d::startsWith);
    }

    @Override
    public synchronized void mkdir(Path dir, int mode) throws KernelException {
        record("mkdir", dir, mode);
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            return;
        } catch (NoSuchFileException e) {
            throw new KernelException("mkdir", dir.toString(), Errno.ENOENT);
        } catch (IOException e) {
            throw new KernelException("mkdir", dir.toString(), Errno.EACCES);
        }
        if (inCgroupfs(dir)) {
            copyControlFiles(dir.getParent(), dir);
        }
    }

    /** As cgroupfs does: a new cgroup has its parent's control files, with no process in it. */
    private static void copyControlFiles(Path parent, Path dir) throws KernelException {
        try (Stream<Path> files = Files.list(parent)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                boolean empty = name.equals("cgroup.procs") || name.equals("cgroup.subtree_control");
                Files.writeString(dir.resolve(name), empty ? "" : Files.readString(f));
            }
        } catch (IOException e) {
            throw new KernelException("mkdir", dir.toString(), 5);
        }
    }

    @Override
    public synchronized void rmdir(Path dir) throws KernelException {
        record("rmdir", dir);
        try {
            if (inCgroupfs(dir)) {
                Path procs = dir.resolve("cgroup.procs");
                try (Stream<Path> children = Files.list(dir)) {
                    if ((Files.exists(procs) && !Files.readString(procs).isBlank())
                            || children.anyMatch(Files::isDirectory)) {
                        throw new KernelException("rmdir", dir.toString(), Errno.EBUSY);
                    }
                }
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.delete(f);
                    }
                }
            }
            Files.delete(dir);
        } catch (NoSuchFileException e) {
            throw new KernelException("rmdir", dir.toString(), Errno.ENOENT);
        } catch (DirectoryNotEmptyException e) {
            throw new KernelException("rmdir", dir.toString(), Errno.ENOTEMPTY);
        } catch (KernelException e) {
            throw e;
        } catch (IOException e) {
            throw new KernelException("rmdir", dir.toString(), 5);
        }
    }

    @Override
    public void kill(int pid, int signal) throws KernelException {
        IntConsumer hook;
        synchronized (this) {
            record("kill", pid, signal);
            hook = killHooks.get(pid);
        }
        if (hook != null) {
            hook.accept(signal);
        }
    }

    @Override
    public synchronized int pidfdOpen(int pid) throws KernelException {
        record("pidfd_open", pid);
        return nextFd++;
    }

    @Override
    public synchronized void pidfdSendSignal(int pidfd, int signal) throws KernelException {
        record("pidfd_send_signal", pidfd, signal);
    }

    @Override
    public synchronized boolean pollIn(int fd, int timeoutMillis) throws KernelException {
        record("poll", fd, timeoutMillis);
        return false;
    }

    @Override
    public synchronized int pollIn(int[] fds, boolean[] ready, int timeoutMillis) throws KernelException {
        record("poll", fds.length, timeoutMillis);
        java.util.Arrays.fill(ready, true); // as read returns 0: every fd is at its end
        return fds.length;
    }

    @Override
    public synchronized int write(int fd, byte[] bytes) throws KernelException {
        record("write", fd, new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
        return bytes.length;
    }

    @Override
    public synchronized int[] pipe2(int flags) throws KernelException {
        record("pipe2", flags);
        return new int[] {nextFd++, nextFd++};
    }

    @Override
    public synchronized int spawn(Path executable, List<String> argv, List<String> env, List<FileAction> actions,
                                  boolean newSession) throws KernelException {
        record("spawn", executable, argv, env, actions, newSession);
        return nextPid++;
    }

    @Override
    public synchronized int read(int fd, byte[] buffer) throws KernelException {
        record("read", fd);
        return 0;
    }

    @Override
    public synchronized void close(int fd) throws KernelException {
        record("close", fd);
        openFiles.remove(fd);
    }

    @Override
    public synchronized int open(Path path, int flags, int mode) throws KernelException {
        record("open", path, flags, mode);
        if ((flags & O_CREAT) == 0 && !Files.exists(path)) {
            throw new KernelException("open", path.toString(), Errno.ENOENT);
        }
        openFiles.put(nextFd, path.toAbsolutePath().normalize());
        return nextFd++;
    }

    @Override
    public synchronized boolean flock(int fd, int operation) throws KernelException {
        record("flock", fd, operation);
        Path file = openFiles.get(fd);
        return file == null || !heldLocks.contains(file);
    }

    @Override
    public synchronized int waitpid(int pid) throws KernelException {
        record("waitpid", pid);
        return 0;
    }

    @Override
    public synchronized int bpfLoadDeviceProgram(byte[] instructions) throws KernelException {
        record("bpf_prog_load", instructions.clone());
        return nextFd++;
    }

    @Override
    public synchronized void bpfAttachDeviceProgram(int programFd, Path cgroupDir) throws KernelException {
        record("bpf_prog_attach", cgroupDir, programFd);
        if (!Files.isDirectory(cgroupDir)) {
            throw new KernelException("bpf", cgroupDir.toString(), Errno.ENOENT);
        }
    }

    /** No terminal here: every fd answers ENOTTY. */
    @Override
    public synchronized byte[] tcgetattr(int fd) throws KernelException {
        record("tcgetattr", "fd " + fd);
        throw new KernelException("tcgetattr", "fd " + fd, Errno.ENOTTY);
    }

    @Override
    public synchronized void tcsetattr(int fd, byte[] termios, boolean raw) throws KernelException {
        record("tcsetattr", "fd " + fd, raw);
        throw new KernelException("tcsetattr", "fd " + fd, Errno.ENOTTY);
    }

    @Override
    public synchronized int[] windowSize(int fd) throws KernelException {
        record("ioctl(TIOCGWINSZ)", "fd " + fd);
        throw new KernelException("ioctl(TIOCGWINSZ)", "fd " + fd, Errno.ENOTTY);
    }
}
