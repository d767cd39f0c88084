package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodState;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;

/**
 * The pod runtime, the one port between the engine and what runs pods (stage1): it starts a
 * prepared pod, watches it until it ends, stops it, and probes its directory for recovery. It
 * mounts the pod's root filesystem when it starts the pod, in the same all-or-nothing step.
 *
 * <p>Every method is called on a worker thread and may block; {@link #start} blocks until the
 * apps have been exec'd (or failed to be), and must leave nothing behind when it fails.
 */
public interface PodRuntime {

    /**
     * Starts the prepared pod: mounts its root filesystem, creates its cgroups with their limits
     * and runs stage1.
     *
     * @return stage1's and the apps' host pids, and a watch that completes when the pod ends
     * @throws StageException if stage1 or an app could not be started (naming the call, path and
     *                        errno); nothing of the pod is left running
     */
    StartedPod start(PodState pod) throws StageException;

    /**
     * Watches a running pod this process did not launch (its engine died and this one adopted
     * it). If its stage1 has already ended, the watch is complete at once, with the statuses
     * stage1 wrote, or lost if it wrote none.
     *
     * @throws StageException if the pod directory cannot be read
     */
    PodWatch watch(PodState pod) throws StageException;

    /**
     * Asks the pod to stop: SIGTERM to its apps, or with {@code force} SIGKILL to the whole pod.
     * A pod that has already ended is stopped: success.
     *
     * @throws StageException if the signal could not be sent (naming errno)
     */
    void stop(PodState pod, boolean force) throws StageException;

    /**
     * Looks at a pod's directory without changing anything, for recovery.
     *
     * @throws StageException if the pod directory cannot be read
     */
    PodProbe probe(PodState pod) throws StageException;

    /**
     * Lets go of what the runtime keeps for launches to come (a spare stage1); pods started keep
     * running and the runtime stays usable. An engine calls it at its shutdown.
     */
    default void close() {
    }

    /**
     * A pod stage1 started.
     *
     * @param stage1Pid stage1's host pid
     * @param appPids   each app's host pid
     * @param watch     completes when the pod ends
     * @param isolators what became of each isolator of the pod's manifest
     */
    record StartedPod(long stage1Pid, Map<String, Long> appPids, PodWatch watch,
                      java.util.List<dev.rkj.engine.pod.IsolatorOutcome> isolators, List<String> warnings,
                      List<dev.rkj.engine.pod.NetworkAttachment> networks) {
        /** A started pod on no CNI network. */
        public StartedPod(long stage1Pid, Map<String, Long> appPids, PodWatch watch,
                          java.util.List<dev.rkj.engine.pod.IsolatorOutcome> isolators, List<String> warnings) {
            this(stage1Pid, appPids, watch, isolators, warnings, List.of());
        }

        public StartedPod {
            networks = networks == null ? List.of() : List.copyOf(networks);
            appPids = Collections.unmodifiableMap(new TreeMap<>(appPids));
            Objects.requireNonNull(watch, "watch");
            isolators = isolators == null ? java.util.List.of() : java.util.List.copyOf(isolators);
            warnings = warnings == null ? List.of() : List.copyOf(warnings);
        }

        /** A started pod that reports no warning. */
        public StartedPod(long stage1Pid, Map<String, Long> appPids, PodWatch watch,
                          java.util.List<dev.rkj.engine.pod.IsolatorOutcome> isolators) {
            this(stage1Pid, appPids, watch, isolators, List.of());
        }

        /** A started pod that reports no isolator. */
        public StartedPod(long stage1Pid, Map<String, Long> appPids, PodWatch watch) {
            this(stage1Pid, appPids, watch, java.util.List.of());
        }
    }

    /** Waits for one running pod to end. */
    interface PodWatch {
        /**
         * Completes when the pod's stage1 has ended, with how; never completes exceptionally
         * (what cannot be known is a {@link PodExit#lost lost} exit).
         */
        CompletionStage<PodExit> exit();

        /** Stops watching (the engine is closing); the pod keeps running. Idempotent. */
        void cancel();

        /** A watch whose end is {@code exit} and whose {@link #cancel} runs {@code cancel}. */
        static PodWatch of(CompletionStage<PodExit> exit, Runnable cancel) {
            return new PodWatch() {
                @Override
                public CompletionStage<PodExit> exit() {
                    return exit;
                }

                @Override
                public void cancel() {
                    cancel.run();
                }
            };
        }
    }

    /**
     * How a pod ended.
     *
     * @param apps     the status of each app stage1 reported or wrote
     * @param exitCode the pod's exit status ({@code rkj run}'s), or null when it is not known:
     *                 the pod is lost
     * @param reason   why, in words: {@code all apps exited}, or what recovery found
     */
    record PodExit(Map<String, AppExit> apps, Integer exitCode, String reason) {
        public PodExit {
            apps = Collections.unmodifiableMap(new TreeMap<>(apps));
            Objects.requireNonNull(reason, "reason");
        }

        /** The pod ended with a known status. */
        public static PodExit exited(Map<String, AppExit> apps, int exitCode, String reason) {
            return new PodExit(apps, exitCode, reason);
        }

        /** The pod ended but how is not known (stage1 wrote no status); {@code apps} may hold some. */
        public static PodExit lost(Map<String, AppExit> apps, String reason) {
            return new PodExit(apps, null, reason);
        }

        /**
         * The pod's exit status from its apps' ({@code rkj run}'s rule): a single app's status; of
         * several, the first non-zero one in the pod manifest's order, else 0.
         *
         * @param order the apps in the pod manifest's order, each with an entry in {@code exits}
         */
        public static int code(java.util.List<String> order, Map<String, AppExit> exits) {
            if (order.size() == 1) {
                return exits.get(order.get(0)).exitCode();
            }
            for (String app : order) {
                if (exits.get(app).exitCode() != 0) {
                    return exits.get(app).exitCode();
                }
            }
            return 0;
        }

        /** Whether the pod's status is unknown. */
        public boolean isLost() {
            return exitCode == null;
        }
    }

    /**
     * One app's end.
     *
     * @param app       its name in the pod
     * @param exitCode  its status as a shell reports it ({@code 128 + signal} when killed)
     * @param signal    the signal that killed it, or null
     * @param oomKilled whether the OOM killer killed it
     */
    record AppExit(String app, int exitCode, Integer signal, boolean oomKilled) {
        public AppExit {
            Objects.requireNonNull(app, "app");
        }
    }

    /**
     * What a pod directory shows.
     *
     * @param lockHeld a stage1 holds the pod's lock: the pod is running
     * @param launched a stage1 was started for the pod (it left its lock file), running or not
     * @param written  the app statuses stage1 wrote (apps that ended)
     */
    record PodProbe(boolean lockHeld, boolean launched, Map<String, AppExit> written) {
        public PodProbe {
            written = Collections.unmodifiableMap(new TreeMap<>(written));
        }
    }
}
