package dev.rkj.engine.run;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.Engine;
import dev.rkj.engine.EngineConfig;
import dev.rkj.engine.EnginePorts;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.read.AppLog;
import dev.rkj.engine.read.LogRecord;
import dev.rkj.stage1.PodDir;
import dev.rkj.stage1.PodLock;
import dev.rkj.stage1.Stage1Launcher;
import dev.rkj.stage1.Stage1Plan;
import dev.rkj.stage1.kernel.LinuxKernel;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import dev.rkj.testsupport.TestRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Following a running pod's log (what {@code rkj logs --follow} does) while stage1 rotates it at a small cap. */
@ExtendWith(LeakCheck.class)
class AppLogFollowIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long CAP = Stage1Plan.MIN_LOG_MAX_SIZE;
    private static final int LINES = 400;

    private Path dataDir;
    private Stage1Host host;
    private Engine engine;

    @BeforeEach
    void open() throws Exception {
        Privileged.requireRoot();
        dataDir = TestRun.newDir("log-follow");
        // waits for /go (made by the test once it follows), then bursts of 40 lines (~2 KiB of
        // records): at most one rotation a burst
        RenderedImage image = RenderedImage.busybox(dataDir, "/bin/sh", "-c",
                "while [ ! -e /go ]; do sleep 0.05; done; i=0; while [ $i -lt " + LINES + " ]; do echo line-$i; i=$((i+1));"
                        + " if [ $((i % 40)) = 0 ]; then sleep 0.2; fi; done");
        host = Stage1Host.open(dataDir, TestRun.cgroupParent(),
                new Stage1Launcher.Output(dataDir.resolve("stage1.out"), dataDir.resolve("stage1.err")),
                new PodPlanner(CAP));
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

    @Test
    void followingARunningPodWhoseLogRotatesGetsEveryLineInOrder() throws Exception {
        String podId = Engine.await(engine.createPod(new PodSpec(RenderedImage.NAME, null, List.of(), Map.of(), null,
                PodSpec.NetMode.NONE, null, null, false, Set.of(PodSpec.InsecureOption.IMAGE)), true), WAIT);
        Engine.await(engine.awaitStatus(podId, s -> s.status() == PodStatus.RUNNING, WAIT), WAIT);
        PodDir dir = new PodDir(host.podsDir().resolve(podId));
        PodLock lock = new PodLock(LinuxKernel.get());
        List<LogRecord> followed = new ArrayList<>();
        try (AppLog log = AppLog.of(dir, "busybox")) {
            followed.addAll(log.poll());
            Files.createFile(dir.rootfs().resolve("go"));
            await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> {
                boolean running = lock.held(dir.path());
                followed.addAll(log.poll());
                return !running;
            });
            followed.addAll(log.end());
        }
        assertEquals(PodStatus.EXITED, Engine.await(engine.awaitStatus(podId, s -> s.status().isFinished(), WAIT), WAIT).status());

        List<String> expected = IntStream.range(0, LINES).mapToObj(i -> "line-" + i).toList();
        assertEquals(expected, followed.stream().map(LogRecord::text).toList(), "every line, in order, across rotations");
        assertTrue(Files.exists(dir.rotatedLog("busybox")), "the log was rotated");
        assertTrue(Files.size(dir.log("busybox")) + Files.size(dir.rotatedLog("busybox")) <= 2 * CAP);
        try (AppLog log = AppLog.of(dir, "busybox")) {
            List<String> kept = log.end().stream().map(LogRecord::text).toList();
            assertTrue(kept.size() < LINES && kept.equals(expected.subList(LINES - kept.size(), LINES)),
                    "what is kept is the newest output: " + kept);
        }
    }
}
