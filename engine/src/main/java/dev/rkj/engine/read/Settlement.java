package dev.rkj.engine.read;

import dev.rkj.engine.pod.PodCommand;
import dev.rkj.engine.pod.PodCommand.FailStage;
import dev.rkj.engine.pod.PodCommand.MarkLost;
import dev.rkj.engine.pod.PodCommand.RecordAppExit;
import dev.rkj.engine.pod.PodCommand.RecordExit;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.pod.Stage;
import dev.rkj.engine.read.PodTraces.Traces;
import dev.rkj.engine.stage.PodRuntime.AppExit;
import dev.rkj.engine.stage.PodRuntime.PodExit;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a read records about a pod whose stage1 is gone but whose end the journal does not hold
 * yet. Pure: the pod's state and what its directory shows in, commands out.
 *
 * <pre>
 * stage1 lock held                        nothing: the pod runs (or is being launched)
 * running,  every app wrote a status      RecordAppExit per app (manifest order), RecordExit
 *                                         with the pod's code ({@link PodExit#code})
 * running,  some app wrote none           RecordAppExit for those that did, MarkLost naming the rest
 * prepared, stage1 was started (lock file) FailStage(launch): its launcher died before recording
 *                                         the start, the pod ran unwatched and ended
 * anything else                           nothing
 * </pre>
 * The caller decides whether to record them (only if the pod's owning engine is gone, which would
 * otherwise record the end itself) and decides each against the latest state, so a fact already
 * recorded adds nothing.
 */
public final class Settlement {
    private Settlement() {
    }

    /**
     * The commands that record how the pod ended, in order; empty if its stage1 runs or there is
     * nothing to settle.
     *
     * @param why why no engine watches it, for the recorded reasons (e.g. "engine X (pid N) is gone")
     */
    public static List<PodCommand> commands(PodState pod, Traces traces, String why) {
        if (traces.lockHeld()) {
            return List.of();
        }
        if (pod.status() == PodStatus.RUNNING) {
            return ended(pod, traces, why);
        }
        if (pod.status() == PodStatus.PREPARED && traces.launched()) {
            String ran = traces.written().isEmpty() ? "" : " (" + traces.written().values().stream()
                    .map(a -> "app " + a.app() + " exited with " + a.exitCode())
                    .collect(Collectors.joining(", ")) + ")";
            return List.of(new FailStage(pod.podId(), Stage.LAUNCH, why + ": it died launching the pod, before it"
                    + " recorded the start; the pod ran unwatched and ended" + ran + "; run the image again with rkj run",
                    true));
        }
        return List.of();
    }

    private static List<PodCommand> ended(PodState pod, Traces traces, String why) {
        List<String> order = new ArrayList<>();
        for (String app : traces.apps()) {
            if (pod.apps().containsKey(app)) {
                order.add(app);
            }
        }
        for (String app : pod.apps().keySet()) {
            if (!order.contains(app)) {
                order.add(app);
            }
        }
        List<PodCommand> commands = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String app : order) {
            AppExit exit = traces.written().get(app);
            if (exit == null) {
                missing.add(app);
            } else {
                commands.add(new RecordAppExit(pod.podId(), app, exit.exitCode(), exit.signal(), exit.oomKilled()));
            }
        }
        if (!missing.isEmpty() || order.isEmpty()) {
            commands.add(new MarkLost(pod.podId(), why + " and its stage1 ended without writing the status of "
                    + (missing.isEmpty() ? "any app" : String.join(", ", missing)) + " (it was killed, or the host rebooted)"));
            return commands;
        }
        String reason = pod.stopRequested() ? (pod.forceStop() ? "stopped on request (forced)" : "stopped on request")
                : "all apps exited";
        commands.add(new RecordExit(pod.podId(), PodExit.code(order, traces.written()), reason));
        return commands;
    }
}
