package dev.rkj.bench.launch;

import dev.rkj.stage1.kernel.MountInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a benchmark run may leave on the host, found by looking: mounts at or over its work
 * directory, cgroups named after the run (its pod cgroup parent, the baselines' container ids), and
 * processes whose command line names the work directory or the run.
 */
public final class HostLeftovers {
    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    /** Deep enough for runc's and crun's container cgroups below this process's own cgroup. */
    private static final int CGROUP_DEPTH = 8;

    private HostLeftovers() {}

    /** One line per leftover; empty when the host is clean. */
    public static List<String> find(Path work, String runId) throws IOException {
        List<String> found = new ArrayList<>();
        String workPath = work.toAbsolutePath().toString();
        for (MountInfo.Mount m : MountInfo.read().mounts()) {
            if (m.mountPoint().startsWith(work) || String.join(",", m.superOptions()).contains(workPath)) {
                found.add("mount " + m.mountPoint() + " (" + m.fsType() + ")");
            }
        }
        try (Stream<Path> walk = Files.walk(CGROUP_ROOT, CGROUP_DEPTH)) {
            walk.filter(Files::isDirectory).filter(p -> p.getFileName() != null && p.getFileName().toString().contains(runId))
                    .forEach(p -> found.add("cgroup " + p));
        } catch (IOException | RuntimeException e) {
            found.add("cgroups: cannot walk " + CGROUP_ROOT + ": " + e);
        }
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                if (proc.getFileName().toString().equals(Long.toString(self))) {
                    continue;
                }
                String cmdline;
                try {
                    cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                } catch (IOException e) {
                    continue; // gone meanwhile
                }
                if (cmdline.contains(workPath) || cmdline.contains(runId)) {
                    found.add("process " + proc.getFileName() + ": " + cmdline.strip());
                }
            }
        }
        return found;
    }
}
