package dev.rkj.engine.run;

import dev.rkj.engine.Engine;
import dev.rkj.engine.EngineConfig;
import dev.rkj.engine.EnginePorts;
import dev.rkj.engine.pod.PodHistory;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.stage1.Stage1Launcher;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import dev.rkj.testsupport.TestRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Where the time goes between {@code createPod} and the apps' start with a warm engine: runs pods
 * one after another and prints, per step of the pod's history, the median time since the previous
 * step (no threshold is asserted: the machine is shared). Also checks each run ended as it should.
 */
@ExtendWith(LeakCheck.class)
class EngineLatencyIT {
    private static final int WARMUP = 5;
    private static final int RUNS = 20;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void warmEngineLaunchLatencyPerStage() throws Exception {
        Privileged.requireRoot();
        Path dataDir = TestRun.newDir("latency");
        RenderedImage image = RenderedImage.busybox(dataDir, "/bin/true");
        Stage1Host host = Stage1Host.open(dataDir, TestRun.cgroupParent(),
                new Stage1Launcher.Output(dataDir.resolve("stage1.out"), dataDir.resolve("stage1.err")));
        Engine engine = Engine.open(EngineConfig.builder(dataDir, new EnginePorts(image, new InsecureOnlyImageVerifier(),
                image, host.preparer(image), host.runtime(), host.janitor())).build());
        PodSpec spec = new PodSpec(RenderedImage.NAME, null, List.of(), Map.of(), null, PodSpec.NetMode.NONE, null,
                null, false, Set.of(PodSpec.InsecureOption.IMAGE));
        List<List<Duration>> steps = new ArrayList<>();
        List<Duration> total = new ArrayList<>();
        try {
            for (int i = 0; i < WARMUP + RUNS; i++) {
                long start = System.nanoTime();
                String podId = Engine.await(engine.createPod(spec, true), WAIT);
                Engine.await(engine.awaitStatus(podId, s -> s.status() == PodStatus.RUNNING || s.status().isFinished(),
                        WAIT), WAIT);
                long started = System.nanoTime();
                assertEquals(0, Engine.await(engine.awaitStatus(podId, s -> s.status().isFinished(), WAIT), WAIT)
                        .exitCode());
                if (i < WARMUP) {
                    continue;
                }
                total.add(Duration.ofNanos(started - start));
                PodHistory history = Engine.await(engine.history(podId), WAIT);
                for (int s = 0; s < history.steps().size(); s++) {
                    if (steps.size() <= s) {
                        steps.add(new ArrayList<>());
                    }
                    steps.get(s).add(history.steps().get(s).sincePrevious());
                }
            }
            PodHistory last = Engine.await(engine.history(engine.list().get(engine.list().size() - 1).podId()), WAIT);
            System.out.println("median over " + RUNS + " warm runs, createPod call -> PodStarted seen: "
                    + median(total).toNanos() / 1000 + " us");
            for (int s = 0; s < steps.size() && s < last.steps().size(); s++) {
                System.out.printf("  %-60.60s +%6d us%n", last.steps().get(s).summary(),
                        median(steps.get(s)).toNanos() / 1000);
            }
        } finally {
            Engine.await(engine.gc(Duration.ZERO, Duration.ZERO, false), WAIT);
            engine.close();
            host.cgroups().removeParentIfEmpty();
            TestRun.deleteTree(dataDir);
        }
    }

    private static Duration median(List<Duration> values) {
        List<Duration> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
