package dev.rkj.engine.recovery;

import dev.rkj.engine.Engine;
import dev.rkj.engine.EngineConfig;
import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.EnginePorts;
import dev.rkj.engine.host.StoreImages;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.run.InsecureOnlyImageVerifier;
import dev.rkj.engine.run.Stage1Host;
import dev.rkj.engine.stage.CrashPoint;
import dev.rkj.engine.store.ImageStore;
import dev.rkj.eventlog.ChronicleJournal;
import dev.rkj.stage1.Stage1Launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The engine in a JVM of its own, for the crash tests: a CLI-like process (the Chronicle journal,
 * the image store in {@code <data dir>/cas}, the native stage1) that a test kills (the
 * environment variable {@link #CRASH_ENV} names the engine's crash point, passed in through its
 * configuration) and starts again.
 *
 * <pre>
 * CrashTestMain DATA_DIR IMAGE_REF CGROUP_PARENT run [--then-remove] EXEC ARGS...
 *     creates a pod of IMAGE_REF (an .aci file is fetched) running EXEC, waits until it ends (then
 *     removes it)
 * CrashTestMain DATA_DIR IMAGE_REF CGROUP_PARENT run-prepared EXEC ARGS...
 *     prepares such a pod, then runs it with run-prepared and waits until it ends
 * CrashTestMain DATA_DIR IMAGE_REF CGROUP_PARENT recover
 *     starts (recovery runs), runs the prepared pods, collects garbage pods, waits until every pod
 *     has ended, and prints one line per pod
 * </pre>
 * Exits 0 when done, 1 on a failure (printed on stderr).
 */
public final class CrashTestMain {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The environment variable naming the crash point, e.g. {@code after-created}. */
    public static final String CRASH_ENV = "RKJ_CRASH_AT";
    /** The environment variable naming the pod's network: {@code default} for the CNI default network, else none. */
    public static final String NET_ENV = "RKJ_TEST_NET";

    private CrashTestMain() {
    }

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        CrashPoint.crashWith(() -> { // kill -9 itself: every thread stops at once, none acts on the last append
            try {
                dev.rkj.stage1.kernel.LinuxKernel.get().kill((int) ProcessHandle.current().pid(), 9);
            } catch (dev.rkj.stage1.kernel.KernelException e) {
                // halted by CrashPoint instead
            }
        });
        Path dataDir = Path.of(args[0]);
        String imageRef = args[1];
        Stage1Host host = Stage1Host.open(dataDir, args[2],
                new Stage1Launcher.Output(dataDir.resolve("stage1.out"), dataDir.resolve("stage1.err")),
                new dev.rkj.engine.run.PodPlanner(), dev.rkj.engine.run.MdsPolicy.NONE,
                CrashPoint.named(System.getenv(CRASH_ENV)));
        int status = 0;
        try (ChronicleJournal journal = ChronicleJournal.open(dataDir.resolve("journal"), EngineEvents.registry());
             Engine engine = Engine.open(EngineConfig.builder(dataDir, ports(dataDir, journal, host))
                     .journal(journal).crashAt(CrashPoint.named(System.getenv(CRASH_ENV))).build())) {
            System.out.println("engine open after " + (System.nanoTime() - start) / 1_000_000 + " ms");
            if (args[3].equals("run")) {
                run(engine, imageRef, List.of(args).subList(4, args.length));
            } else if (args[3].equals("run-prepared")) {
                runPrepared(engine, imageRef, List.of(args).subList(4, args.length));
            } else {
                recover(engine);
            }
        } catch (Exception e) {
            e.printStackTrace();
            status = 1;
        }
        System.out.println("done after " + (System.nanoTime() - start) / 1_000_000 + " ms");
        System.out.flush();
        System.exit(status);
    }

    /** The host's real ports, as {@code HostEngine} makes them, with the test's cgroup parent. */
    static EnginePorts ports(Path dataDir, ChronicleJournal journal, Stage1Host host) throws Exception {
        StoreImages images = new StoreImages(ImageStore.open(dataDir.resolve("cas"), journal));
        return new EnginePorts(images, new InsecureOnlyImageVerifier(), images, host.preparer(images), host.runtime(),
                host.janitor());
    }

    private static void run(Engine engine, String imageRef, List<String> command) throws Exception {
        boolean remove = command.get(0).equals("--then-remove");
        List<String> exec = remove ? command.subList(1, command.size()) : command;
        PodSpec spec = spec(imageRef, exec);
        String podId = Engine.await(engine.createPod(spec, true), WAIT);
        PodState end = Engine.await(engine.awaitStatus(podId, s -> s.status().isFinished(), WAIT), WAIT);
        if (remove) {
            Engine.await(engine.remove(podId), WAIT);
        }
        System.out.println("pod " + podId + " " + end.status().displayName() + " " + end.exitCode());
    }

    private static void runPrepared(Engine engine, String imageRef, List<String> exec) throws Exception {
        String podId = Engine.await(engine.createPod(spec(imageRef, exec), false), WAIT);
        Engine.await(engine.awaitStatus(podId, s -> s.status() == PodStatus.PREPARED, WAIT), WAIT);
        Engine.await(engine.runPrepared(podId), WAIT);
        PodState end = Engine.await(engine.awaitStatus(podId, s -> s.status().isFinished(), WAIT), WAIT);
        System.out.println("pod " + podId + " " + end.status().displayName() + " " + end.exitCode());
    }

    private static PodSpec spec(String imageRef, List<String> exec) {
        return new PodSpec(imageRef, exec.get(0), exec.subList(1, exec.size()), Map.of(), null,
                "default".equals(System.getenv(NET_ENV)) ? PodSpec.NetMode.DEFAULT : PodSpec.NetMode.NONE, null, null, false,
                Set.of(PodSpec.InsecureOption.IMAGE));
    }

    private static void recover(Engine engine) throws Exception {
        List<String> pods = new ArrayList<>();
        for (PodState pod : engine.projection().all()) {
            pods.add(pod.podId());
            PodState now = Engine.await(engine.awaitStatus(pod.podId(),
                    s -> !s.status().isBeingPrepared(), WAIT), WAIT);
            if (now.status() == PodStatus.PREPARED) {
                Engine.await(engine.runPrepared(pod.podId()), WAIT);
            }
        }
        Engine.await(engine.gc(Duration.ofDays(1), Duration.ofDays(1), false), WAIT);
        for (String podId : pods) {
            PodState end = Engine.await(engine.awaitStatus(podId, s -> s.status().isFinished(), WAIT), WAIT);
            System.out.println("pod " + podId + " " + end.status().displayName() + " " + end.exitCode());
        }
    }
}
