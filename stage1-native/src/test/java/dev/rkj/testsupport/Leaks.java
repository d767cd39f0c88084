package dev.rkj.testsupport;

import dev.rkj.stage1.kernel.MountInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What rkj things exist on the machine right now: mounts and cgroups whose path holds "rkj"
 * (or this run's tag), and rkj-stage1 processes. Things of other test runs are left out.
 */
public final class Leaks {
    private Leaks() {}

    /** Everything found, one line each ("mount /x", "cgroup /sys/...", "process 123 rkj-stage1 ..."). */
    public static List<String> current() throws IOException {
        List<String> found = new ArrayList<>();
        for (MountInfo.Mount m : MountInfo.read().mounts()) {
            String s = m.mountPoint() + " " + m.source();
            if (relevant(s)) {
                found.add("mount " + m.mountPoint() + " (" + m.fsType() + ")");
            }
        }
        found.addAll(cgroups(Path.of("/sys/fs/cgroup"), 3));
        found.addAll(processes());
        return found;
    }

    private static boolean relevant(String s) {
        return (s.contains("rkj") || TestRun.ours(s)) && !TestRun.otherRun(s);
    }

    private static List<String> cgroups(Path root, int depth) throws IOException {
        List<String> found = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return found;
        }
        // other processes create and remove cgroups meanwhile: skip what vanishes under us
        Files.walkFileTree(root, java.util.Set.of(), depth, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path dir, java.nio.file.attribute.BasicFileAttributes a) {
                if (relevant(dir.getFileName().toString())) {
                    found.add("cgroup " + dir);
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes a) {
                if (a.isDirectory() && relevant(file.getFileName().toString())) {
                    found.add("cgroup " + file); // a directory at the depth limit
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return found;
    }

    private static List<String> processes() throws IOException {
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
                if (argv0.endsWith("/rkj-stage1") || argv0.equals("rkj-stage1")) {
                    if (TestRun.otherRun(cmdline) || TestRun.otherRun(parentCmdline(p))) {
                        continue; // a pod's PID 1 names no path: its monitor (parent) tells whose it is
                    }
                    found.add("process " + p.getFileName() + " " + cmdline.trim());
                }
            }
        }
        return found;
    }

    /** The command line of the parent of {@code /proc/<pid>}, "" when either has ended. */
    private static String parentCmdline(Path proc) {
        try {
            for (String line : Files.readAllLines(proc.resolve("status"))) {
                if (line.startsWith("PPid:")) {
                    Path parent = Path.of("/proc", line.substring(5).trim());
                    return new String(Files.readAllBytes(parent.resolve("cmdline")), StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            // ended meanwhile
        }
        return "";
    }
}
