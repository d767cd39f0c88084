package dev.rkj.stage1;

import dev.rkj.stage1.cgroup.CgroupLayout;
import dev.rkj.stage1.cgroup.CgroupLimits;
import dev.rkj.stage1.cgroup.Cgroups;
import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.stage1.kernel.LinuxKernel;
import dev.rkj.stage1.overlay.Overlay;
import dev.rkj.testsupport.Leaks;
import dev.rkj.testsupport.TestImages;
import dev.rkj.testsupport.TestRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Real pods for integration tests: a shared busybox lower tree, the extracted rkj-stage1, and
 * per test a pod dir that {@link #close()} tears down whatever happened (kill, cgroup, mount,
 * files).
 */
final class PodFixture implements AutoCloseable {
    static final Kernel KERNEL = LinuxKernel.get();

    /** Shared by a test class: build once in @BeforeAll, close in @AfterAll. */
    static final class Shared implements AutoCloseable {
        final Path lower;
        final Path binary;
        final Cgroups cgroups;
        final Overlay overlay = new Overlay(KERNEL);
        private final Path lowerDir;
        private final Path dataDir;

        Shared() throws IOException {
            this(CgroupLayout.detect());
        }

        /** Pods in the cgroups of {@code layout} (a part of the host's, to test one hierarchy alone). */
        Shared(CgroupLayout layout) throws IOException {
            lowerDir = TestRun.newDir("lower");
            lower = TestImages.busybox(lowerDir.resolve("rootfs"));
            dataDir = TestRun.newDir("data");
            binary = Stage1Binary.extract(dataDir);
            cgroups = new Cgroups(KERNEL, layout, TestRun.cgroupParent());
        }

        PodFixture pod() throws IOException {
            return new PodFixture(this);
        }

        @Override
        public void close() throws IOException {
            cgroups.removeParentIfEmpty();
            TestRun.deleteTree(lowerDir);
            TestRun.deleteTree(dataDir);
        }
    }

    final Shared shared;
    final String uuid = UUID.randomUUID().toString();
    final Path podDir;
    final Path rootfs;
    RunningPod pod;

    private PodFixture(Shared shared) throws IOException {
        this.shared = shared;
        this.podDir = TestRun.newDir("pod");
        this.rootfs = podDir.resolve("rootfs");
    }

    Stage1Plan.Builder plan() {
        return Stage1Plan.builder(uuid, podDir, rootfs);
    }

    static Stage1Plan.AppBuilder sh(String name, String script) {
        return Stage1Plan.App.builder(name, "/bin/sh", "-c", script);
    }

    /** Starts the pod; stage1's stdout/stderr go to {@code stage1.out} / {@code stage1.err} in the pod dir. */
    RunningPod start(Stage1Plan plan, CgroupLimits limits) throws Stage1Exception, IOException {
        return start(plan, limits, Map.of());
    }

    RunningPod start(Stage1Plan plan, CgroupLimits limits, Map<String, CgroupLimits> appLimits)
            throws Stage1Exception, IOException {
        return start(plan, shared.lower, limits, appLimits);
    }

    /** Starts the pod on another image tree than the shared busybox one. */
    RunningPod start(Stage1Plan plan, Path lower, CgroupLimits limits, Map<String, CgroupLimits> appLimits)
            throws Stage1Exception, IOException {
        PodStarter starter = new PodStarter(shared.overlay, shared.cgroups, new Stage1Launcher(KERNEL, shared.binary));
        pod = starter.start(plan, lower, limits, appLimits,
                new Stage1Launcher.Output(podDir.resolve("stage1.out"), podDir.resolve("stage1.err")));
        return pod;
    }

    /** Starts the pod with {@code launcher} (closed by the caller), stage1's output going to {@code output}. */
    RunningPod start(Stage1Plan plan, Stage1Launcher launcher, Stage1Launcher.Output output)
            throws Stage1Exception, IOException {
        pod = new PodStarter(shared.overlay, shared.cgroups, launcher).start(plan, shared.lower, CgroupLimits.NONE, output);
        return pod;
    }

    RunningPod start(Stage1Plan plan) throws Stage1Exception, IOException {
        return start(plan, CgroupLimits.NONE);
    }

    ExitStatus awaitExit() throws Exception {
        return pod.process().exit().get(60, TimeUnit.SECONDS);
    }

    /** What the app wrote to stdout and stderr: the content of its log's records, {@code <app>.1}'s first. */
    String log(String app) throws IOException {
        StringBuilder out = new StringBuilder();
        for (String record : records(app)) {
            String[] f = record.split(" ", 4); // time stream F|P content
            out.append(f[3]).append(f[2].equals("F") ? "\n" : "");
        }
        return out.toString();
    }

    /** The lines of {@code logs/<app>.1} (if any) and {@code logs/<app>}, as stage1 wrote them. */
    java.util.List<String> records(String app) throws IOException {
        java.util.List<String> lines = new java.util.ArrayList<>();
        Path logs = podDir.resolve("logs");
        for (Path file : new Path[] {logs.resolve(app + ".1"), logs.resolve(app)}) {
            if (file.equals(logs.resolve(app)) || Files.exists(file)) {
                // records end with '\n' only: a pty's output holds lone '\r's, which readAllLines would split at
                String text = Files.readString(file);
                if (!text.isEmpty()) {
                    lines.addAll(java.util.Arrays.asList(text.substring(0, text.length() - (text.endsWith("\n") ? 1 : 0))
                            .split("\n", -1)));
                }
            }
        }
        return lines;
    }

    /** True when nothing of this pod is left: no mount, no cgroup, no process. */
    boolean nothingLeft() throws IOException {
        return !shared.overlay.isMounted(rootfs) && !shared.cgroups.open(safeName()).exists()
                && Leaks.current().stream().noneMatch(l -> l.contains(podDir.toString()));
    }

    private String safeName() {
        return uuid;
    }

    @Override
    public void close() throws Exception {
        try {
            if (pod != null && pod.process().isAlive()) {
                pod.process().signal(Kernel.SIGKILL);
            }
            if (pod != null) {
                pod.process().exit().handle((s, t) -> null).get(60, TimeUnit.SECONDS);
            }
        } finally {
            shared.cgroups.open(uuid).remove(true);
            shared.overlay.unmount(rootfs);
            TestRun.deleteTree(podDir);
        }
    }
}
