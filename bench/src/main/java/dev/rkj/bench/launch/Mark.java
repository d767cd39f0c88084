package dev.rkj.bench.launch;

/**
 * The points of a pod's life the launch benchmark timestamps ({@link System#nanoTime()}), in the
 * order they happen. Port marks are taken by {@link TimedPorts} around the engine's calls of the
 * real ports; {@code *_SEEN} marks on the journal's tail thread when the projection folds in the
 * event ({@link dev.rkj.engine.Engine#awaitStatus}'s predicate runs there).
 */
public enum Mark {
    /** Just before {@code engine.createPod(spec, true)}: the command is accepted. */
    COMMAND,
    /**
     * {@code createPod} returned: {@code pod.created} is appended. The fetch stage may already have
     * started by then (the append wakes the tail at once), so this is no segment boundary.
     */
    CREATED,
    RESOLVE_START, RESOLVE_END,
    VERIFY_START, VERIFY_END,
    RENDER_START, RENDER_END,
    PREPARE_START, PREPARE_END,
    LAUNCH_START,
    /** The runner port returned: stage1 reported {@code started}, i.e. the app's execve succeeded. */
    EXEC,
    /** {@code pod.started} folded into the projection. */
    STARTED_SEEN,
    /** The pod's watch completed: stage1 exited and was reaped, its status read. */
    STAGE1_EXITED,
    RELEASE_START, RELEASE_END,
    /** {@code pod.exited} folded into the projection. */
    EXITED_SEEN,
    /** {@code awaitStatus(exited)} completed: what a caller of the engine sees. */
    DONE
}
