package dev.rkj.bench.launch;

import dev.rkj.engine.EnginePorts;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.stage.ImageSourcePort;
import dev.rkj.engine.stage.ImageVerifierPort;
import dev.rkj.engine.stage.PodJanitorPort;
import dev.rkj.engine.stage.PodPreparerPort;
import dev.rkj.engine.stage.PodRuntime;
import dev.rkj.engine.stage.StageException;
import dev.rkj.engine.stage.TreeRendererPort;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wraps the engine's real ports so each call is timestamped into the pod's {@link PodTimeline}
 * (one {@code nanoTime} before and after; nothing else changes).
 */
public final class TimedPorts {
    private final Map<String, PodTimeline> timelines = new ConcurrentHashMap<>();

    /**
     * The timeline of {@code podId}, created on first use: a stage may reach its port before
     * {@code createPod} has returned the pod's id to the benchmark.
     */
    public PodTimeline timeline(String podId) {
        return timelines.computeIfAbsent(podId, id -> new PodTimeline());
    }

    /** Drops the timeline of a pod that has ended. */
    public void forget(String podId) {
        timelines.remove(podId);
    }

    private void mark(String podId, Mark mark) {
        timeline(podId).mark(mark);
    }

    /** {@code real} with every port timed. */
    public EnginePorts wrap(EnginePorts real) {
        ImageSourcePort source = real.imageSource();
        ImageVerifierPort verifier = real.verifier();
        TreeRendererPort renderer = real.renderer();
        PodPreparerPort preparer = real.preparer();
        PodJanitorPort janitor = real.janitor();
        ImageSourcePort timedSource = (podId, spec) -> {
            mark(podId, Mark.RESOLVE_START);
            try {
                return source.resolve(podId, spec);
            } finally {
                mark(podId, Mark.RESOLVE_END);
            }
        };
        ImageVerifierPort timedVerifier = (String podId, PodSpec spec, String imageId, String imageName) -> {
            mark(podId, Mark.VERIFY_START);
            try {
                return verifier.verify(podId, spec, imageId, imageName);
            } finally {
                mark(podId, Mark.VERIFY_END);
            }
        };
        TreeRendererPort timedRenderer = (String podId, String imageId) -> {
            mark(podId, Mark.RENDER_START);
            try {
                return renderer.render(podId, imageId);
            } finally {
                mark(podId, Mark.RENDER_END);
            }
        };
        PodPreparerPort timedPreparer = pod -> {
            mark(pod.podId(), Mark.PREPARE_START);
            try {
                return preparer.prepare(pod);
            } finally {
                mark(pod.podId(), Mark.PREPARE_END);
            }
        };
        PodJanitorPort timedJanitor = new PodJanitorPort() {
            @Override
            public java.util.List<dev.rkj.engine.pod.NetworkAttachment> release(PodState pod) throws StageException {
                mark(pod.podId(), Mark.RELEASE_START);
                try {
                    return janitor.release(pod);
                } finally {
                    mark(pod.podId(), Mark.RELEASE_END);
                }
            }

            @Override
            public java.util.List<dev.rkj.engine.pod.NetworkAttachment> delete(PodState pod) throws StageException {
                return janitor.delete(pod);
            }
        };
        return new EnginePorts(timedSource, timedVerifier, timedRenderer, timedPreparer, new TimedRunner(real.runtime()),
                timedJanitor);
    }

    private final class TimedRunner implements PodRuntime {
        private final PodRuntime runner;

        TimedRunner(PodRuntime runner) {
            this.runner = runner;
        }

        @Override
        public StartedPod start(PodState pod) throws StageException {
            String podId = pod.podId();
            mark(podId, Mark.LAUNCH_START);
            StartedPod launched = runner.start(pod); // returns once stage1 reported the apps exec'd
            mark(podId, Mark.EXEC);
            PodWatch watch = launched.watch();
            CompletionStage<PodExit> exit = watch.exit().whenComplete((e, t) -> mark(podId, Mark.STAGE1_EXITED));
            return new StartedPod(launched.stage1Pid(), launched.appPids(), new PodWatch() {
                @Override
                public CompletionStage<PodExit> exit() {
                    return exit;
                }

                @Override
                public void cancel() {
                    watch.cancel();
                }
            });
        }

        @Override
        public PodWatch watch(PodState pod) throws StageException {
            return runner.watch(pod);
        }

        @Override
        public void stop(PodState pod, boolean force) throws StageException {
            runner.stop(pod, force);
        }

        @Override
        public PodProbe probe(PodState pod) throws StageException {
            return runner.probe(pod);
        }

        @Override
        public void close() {
            runner.close();
        }
    }
}
