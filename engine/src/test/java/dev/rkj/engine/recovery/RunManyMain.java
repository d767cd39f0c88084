package dev.rkj.engine.recovery;

import dev.rkj.engine.Engine;
import dev.rkj.engine.EngineConfig;
import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.run.Stage1Host;
import dev.rkj.eventlog.ChronicleJournal;
import dev.rkj.stage1.Stage1Launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An engine in a JVM of its own that runs pods one after another, as {@code rkj run} does, for the
 * race tests (it uses the crash tests' real host ports):
 * <pre>
 * RunManyMain DATA_DIR IMAGE_REF CGROUP_PARENT COUNT EXEC ARGS...
 * </pre>
 * prints {@code engine open}, then {@code pod UUID STATUS EXIT_CODE} for each pod once it has ended; exits 0 when all ended, 1
 * on a failure (printed on stderr).
 */
public final class RunManyMain {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private RunManyMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        String imageRef = args[1];
        int count = Integer.parseInt(args[3]);
        List<String> exec = List.of(args).subList(4, args.length);
        Stage1Host host = Stage1Host.open(dataDir, args[2],
                new Stage1Launcher.Output(dataDir.resolve("stage1.out"), dataDir.resolve("stage1.err")));
        int status = 0;
        try (ChronicleJournal journal = ChronicleJournal.open(dataDir.resolve("journal"), EngineEvents.registry());
             Engine engine = Engine.open(EngineConfig.builder(dataDir, CrashTestMain.ports(dataDir, journal, host))
                     .journal(journal).watchOrphans(false).build())) {
            System.out.println("engine open");
            System.out.flush();
            PodSpec spec = new PodSpec(imageRef, exec.get(0), exec.subList(1, exec.size()), Map.of(), null,
                    PodSpec.NetMode.NONE, null, null, false, Set.of(PodSpec.InsecureOption.IMAGE));
            for (int i = 0; i < count; i++) {
                String podId = Engine.await(engine.createPod(spec, true), WAIT);
                PodState end = Engine.await(engine.awaitStatus(podId, s -> s.status().isFinished(), WAIT), WAIT);
                System.out.println("pod " + podId + " " + end.status().displayName() + " " + end.exitCode());
                System.out.flush();
            }
        } catch (Exception e) {
            e.printStackTrace();
            status = 1;
        }
        System.out.flush();
        System.exit(status);
    }
}
