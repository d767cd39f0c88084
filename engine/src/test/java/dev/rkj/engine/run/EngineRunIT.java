package dev.rkj.engine.run;

import dev.rkj.engine.Engine;
import dev.rkj.engine.EngineConfig;
import dev.rkj.engine.EngineException;
import dev.rkj.engine.EnginePorts;
import dev.rkj.engine.appc.App;
import dev.rkj.engine.appc.EventHandler;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.pod.Stage;
import dev.rkj.stage1.PodDir;
import dev.rkj.stage1.PodLock;
import dev.rkj.stage1.Stage1Launcher;
import dev.rkj.stage1.kernel.MountInfo;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import dev.rkj.testsupport.TestRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine running real pods: the stage1 ports on a real kernel, overlayfs and cgroups. */
@ExtendWith(LeakCheck.class)
class EngineRunIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private Path dataDir;
    private RenderedImage image;
    private Stage1Host host;
    private Engine engine;

    @BeforeEach
    void open() throws Exception {
        Privileged.requireRoot();
        dataDir = TestRun.newDir("engine-run");
        host = Stage1Host.open(dataDir, TestRun.cgroupParent(),
                new Stage1Launcher.Output(dataDir.resolve("stage1.out"), dataDir.resolve("stage1.err")));
        openWith(RenderedImage.busybox(dataDir, "/bin/sh", "-c", "echo $GREETING from $AC_APP_NAME; exit 7"));
    }

    private void openWith(RenderedImage image) throws Exception {
        this.image = image;
        engine = Engine.open(EngineConfig.builder(dataDir, new EnginePorts(image, new InsecureOnlyImageVerifier(), image,
                host.preparer(image), host.runtime(), host.janitor())).build());
    }

    @AfterEach
    void close() throws Exception {
        if (engine == null) {
            return;
        }
        try {
            for (PodState pod : engine.list()) {
                if (pod.status() == PodStatus.RUNNING) {
                    Engine.await(engine.stop(pod.podId(), true), WAIT);
                    Engine.await(engine.awaitStatus(pod.podId(), s -> s.status().isFinished(), WAIT), WAIT);
                }
            }
            Engine.await(engine.gc(Duration.ZERO, Duration.ZERO, false), WAIT);
        } finally {
            engine.close();
            host.cgroups().removeParentIfEmpty();
            TestRun.deleteTree(dataDir);
        }
    }

    private static PodSpec spec(String exec, List<String> args, Map<String, String> env, String hostname, Long memory) {
        return new PodSpec(RenderedImage.NAME, exec, args, env, hostname, PodSpec.NetMode.NONE, memory, null, false,
                Set.of(PodSpec.InsecureOption.IMAGE));
    }

    private PodState awaitFinished(String podId) throws EngineException {
        return Engine.await(engine.awaitStatus(podId, s -> s.status().isFinished(), WAIT), WAIT);
    }

    @Test
    void runRecordsTheAppsExitCodeAndItsOutput() throws Exception {
        String podId = Engine.await(engine.createPod(spec(null, List.of(), Map.of(), null, null), true), WAIT);
        PodState exited = awaitFinished(podId);

        assertEquals(PodStatus.EXITED, exited.status());
        assertEquals(7, exited.exitCode());
        assertEquals(7, exited.apps().get("busybox").exitCode());
        Path podDir = host.podsDir().resolve(podId);
        assertEquals("hello from busybox\n", AppOutput.of(podDir, "busybox"));
        assertEquals(exited.manifestDigest(), Stage1PodPreparer.digest(Files.readAllBytes(podDir.resolve("pod"))));
        assertFalse(new PodLock(dev.rkj.stage1.kernel.LinuxKernel.get()).held(podDir));
        assertTrue(MountInfo.read().at(podDir.resolve("rootfs")).isEmpty(), "rootfs released after the exit");
    }

    @Test
    void preparedPodHoldsNoMountUntilItIsRunPrepared() throws Exception {
        String podId = Engine.await(engine.createPod(spec(null, List.of(), Map.of(), null, null), false), WAIT);
        PodState prepared = Engine.await(engine.awaitStatus(podId, s -> s.status() == PodStatus.PREPARED, WAIT), WAIT);
        PodDir dir = new PodDir(host.podsDir().resolve(podId));
        assertTrue(Files.isRegularFile(dir.manifest()));
        assertTrue(MountInfo.read().at(dir.rootfs()).isEmpty(), "the rootfs is mounted when the pod starts, not before");

        PodState started = Engine.await(engine.runPrepared(podId), WAIT);
        assertTrue(started.stage1Pid() > 0);
        assertEquals(7, awaitFinished(podId).exitCode());
        assertEquals("hello from busybox\n", AppOutput.of(dir.path(), "busybox"), "the app ran on the image's files");
        assertTrue(MountInfo.read().at(dir.rootfs()).isEmpty(), "rootfs released after the exit");
    }

    @Test
    void execArgsEnvAndHostnameOverridesReachTheApp() throws Exception {
        String podId = Engine.await(engine.createPod(spec("/bin/sh", List.of("-c", "echo $FOO $GREETING; hostname; exit 3"),
                Map.of("FOO", "bar", "GREETING", "hi"), null, null), true), WAIT);
        PodState exited = awaitFinished(podId);
        assertEquals(3, exited.exitCode());
        assertEquals("bar hi\nrkj-" + podId + "\n",
                AppOutput.of(host.podsDir().resolve(podId), "busybox"));
    }

    @Test
    void stopEndsARunningPodWithSigterm() throws Exception {
        String podId = Engine.await(engine.createPod(spec("/bin/sleep", List.of("600"), Map.of(), "sleeper", 64L << 20),
                true), WAIT);
        Engine.await(engine.awaitStatus(podId, s -> s.status() == PodStatus.RUNNING, WAIT), WAIT);
        Path memory = host.cgroups().open(podId).dirs().stream().filter(d -> d.toString().contains("/memory/"))
                .findFirst().orElse(null);
        if (memory != null) {
            assertEquals(Long.toString(64L << 20), Files.readString(memory.resolve("memory.limit_in_bytes")).trim());
        }
        Engine.await(engine.stop(podId, false), WAIT);
        PodState exited = awaitFinished(podId);
        assertEquals("stopped on request", exited.exitReason());
        assertEquals(143, exited.exitCode());
        assertEquals(15, exited.apps().get("busybox").signal());
    }

    @Test
    void aForcedStopKillsThePod() throws Exception {
        String podId = Engine.await(engine.createPod(spec("/bin/sh", List.of("-c", "trap '' TERM; sleep 600"), Map.of(),
                null, null), true), WAIT);
        Engine.await(engine.awaitStatus(podId, s -> s.status() == PodStatus.RUNNING, WAIT), WAIT);
        Engine.await(engine.stop(podId, true), WAIT);
        PodState exited = awaitFinished(podId);
        assertEquals("stopped on request (forced)", exited.exitReason());
        assertEquals(137, exited.exitCode());
        assertEquals(9, exited.apps().get("busybox").signal());
    }

    @Test
    void anAppThatCannotStartFailsTheLaunchSayingWhy() throws Exception {
        String podId = Engine.await(engine.createPod(spec("/bin/nope", List.of(), Map.of(), null, null), true), WAIT);
        PodState failed = awaitFinished(podId);
        assertEquals(PodStatus.EXITED, failed.status());
        assertEquals(Stage.LAUNCH, failed.failure().stage());
        assertTrue(failed.failure().reason().contains("/bin/nope"), failed.failure().reason());
    }

    @Test
    void removeDeletesThePodDirectory() throws Exception {
        String podId = Engine.await(engine.createPod(spec(null, List.of(), Map.of(), null, null), true), WAIT);
        awaitFinished(podId);
        Path podDir = host.podsDir().resolve(podId);
        Engine.await(engine.remove(podId), WAIT);
        assertFalse(Files.exists(podDir));
        assertEquals(PodStatus.DELETED, engine.pod(podId).status());
    }

    @Test
    void anImagesUnfilledMountPointGetsAnEmptyVolumeWithAWarningAndItsHooksRunAroundTheApp() throws Exception {
        engine.close();
        openWith(RenderedImage.busybox(dataDir, App.builder("0", "0")
                .exec("/bin/sh", "-c", "echo main >> /var/work/order; cat /var/work/order")
                .mountPoint("work", "/var/work", false)
                .eventHandler(EventHandler.Kind.PRE_START, "/bin/sh", "-c", "echo pre > /var/work/order")
                .eventHandler(EventHandler.Kind.POST_STOP, "/bin/sh", "-c", "echo post >> /var/work/order").build()));
        String podId = Engine.await(engine.createPod(spec(null, List.of(), Map.of(), null, null), true), WAIT);
        PodState exited = awaitFinished(podId);

        assertEquals(0, exited.exitCode());
        Path podDir = host.podsDir().resolve(podId);
        assertEquals("pre\nmain\n", AppOutput.of(podDir, "busybox"));
        assertEquals("pre\nmain\npost\n", Files.readString(podDir.resolve("volumes/busybox.work/order")),
                "the volume is the pod dir's, and post-stop ran after the app");
        assertEquals(List.of("app busybox: mount point work (/var/work) has no volume, so it gets an empty one that is"
                + " removed with the pod; to keep its data, give --volume work,kind=host,source=DIR"), exited.warnings());
        Engine.await(engine.remove(podId), WAIT);
        assertFalse(Files.exists(podDir), "the empty volume goes with the pod");
    }
}
