package dev.rkj.testsupport;

import dev.rkj.stage1.kernel.MountInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What this test run has on the machine right now, and nothing else: another rkj, or another
 * test run, on the same machine is never counted. Something is this run's when it names this
 * run's tag ({@link TestRun#ours}: its temp dirs {@code /tmp/rkjtest-<tag>-*}, its cgroup
 * parent {@code rkjtest-<tag>}) or one of the pod ids the run created (pod directories
 * {@code pods/<uuid>} under its temp dirs, for pods whose cgroups live under another parent):
 * <ul>
 *   <li>mounts whose mount point or source is in this run's dirs;</li>
 *   <li>cgroups named with this run's tag or with one of its pod ids (or below one);</li>
 *   <li>rkj-stage1 processes whose command line, or whose parent's (a pod's PID 1 names no
 *       path: its monitor does), points into this run's dirs or names one of its pod ids.</li>
 * </ul>
 */
public final class Leaks {
    private static final Path CGROUPS = Path.of("/sys/fs/cgroup");
    /** A pod id: only such names of a {@code pods} directory count (not {@code .tmp} or a stray file). */
    private static final java.util.regex.Pattern POD_ID =
            java.util.regex.Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private Leaks() {}

    /** {@link #current(Set)} with the pods this run has now. */
    public static List<String> current() throws IOException {
        return current(podIds());
    }

    /** Everything of this run, one line each ("mount /x", "cgroup /sys/...", "process 123 rkj-stage1 ..."). */
    public static List<String> current(Set<String> podIds) throws IOException {
        List<String> found = new ArrayList<>();
        for (MountInfo.Mount m : MountInfo.read().mounts()) {
            if (TestRun.ours(m.mountPoint().toString()) || TestRun.ours(m.source())) {
                found.add("mount " + m.mountPoint() + " (" + m.fsType() + ")");
            }
        }
        found.addAll(cgroups(CGROUPS, 3, podIds));
        found.addAll(processes(podIds));
        return found;
    }

    /**
     * The ids of the pods this run created so far: the entries of every {@code pods} directory
     * in this run's temp dirs (a data directory's {@code pods/<uuid>}).
     */
    public static Set<String> podIds() throws IOException {
        Set<String> ids = new TreeSet<>();
        for (Path dir : TestRun.dirs()) {
            Files.walkFileTree(dir, Set.of(), 4, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
                    if (d.getFileName().toString().equals("pods")) {
                        try (Stream<Path> s = Files.list(d)) {
                            s.map(p -> p.getFileName().toString()).filter(n -> POD_ID.matcher(n).matches())
                                    .forEach(ids::add);
                        } catch (IOException e) {
                            // removed meanwhile
                        }
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // removed meanwhile, or not ours to read
                }
            });
        }
        return ids;
    }

    private static boolean mine(String text, Set<String> podIds) {
        if (TestRun.ours(text)) {
            return true;
        }
        for (String id : podIds) {
            if (text.contains(id)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> cgroups(Path root, int depth, Set<String> podIds) throws IOException {
        List<String> found = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return found;
        }
        // other processes create and remove cgroups meanwhile: skip what vanishes under us
        Files.walkFileTree(root, Set.of(), depth, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) {
                if (!dir.equals(root) && mine(dir.getFileName().toString(), podIds)) {
                    found.add("cgroup " + dir);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
                if (a.isDirectory() && mine(file.getFileName().toString(), podIds)) {
                    found.add("cgroup " + file); // a directory at the depth limit
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        return found;
    }

    private static List<String> processes(Set<String> podIds) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                String raw;
                try {
                    raw = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    continue; // it ended meanwhile
                }
                // The program itself, not any argument (a JVM's classpath names rkj-stage1-native jars).
                String argv0 = raw.indexOf('\0') < 0 ? raw : raw.substring(0, raw.indexOf('\0'));
                String cmdline = raw.replace('\0', ' ');
                // A spare (`rkj-stage1 run -`) is a running engine's, ready for its next pod; once it
                // runs a pod, its cgroups name that pod (its command line cannot be rewritten here).
                boolean spare = cmdline.trim().endsWith(" run -");
                if ((argv0.endsWith("/rkj-stage1") || argv0.equals("rkj-stage1"))
                        && (spare ? mine(cgroups(p), podIds)
                                : mine(cmdline, podIds) || mine(parentCmdline(p), podIds))) {
                    found.add("process " + p.getFileName() + " " + cmdline.trim());
                }
            }
        }
        return found;
    }

    /** The cgroups of {@code /proc/<pid>}, "" when it has ended. */
    private static String cgroups(Path proc) {
        try {
            return Files.readString(proc.resolve("cgroup"));
        } catch (IOException e) {
            return "";
        }
    }

    /** The command line of the parent of {@code /proc/<pid>}, "" when either has ended. */
    private static String parentCmdline(Path proc) {
        try {
            for (String line : Files.readAllLines(proc.resolve("status"))) {
                if (line.startsWith("PPid:")) {
                    Path parent = Path.of("/proc", line.substring(5).trim());
                    return new String(Files.readAllBytes(parent.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                }
            }
        } catch (IOException e) {
            // ended meanwhile
        }
        return "";
    }
}
