/**
 * The engine's stages and how they are driven by the journal.
 *
 * <h2>Pieces</h2>
 * <ul>
 *   <li><b>Ports</b>, one per stage, narrow and blocking (called on worker threads):
 *       {@link dev.rkj.engine.stage.ImageSourcePort} (fetch), {@link dev.rkj.engine.stage.ImageVerifierPort}
 *       (verify), {@link dev.rkj.engine.stage.TreeRendererPort} (render),
 *       {@link dev.rkj.engine.stage.PodPreparerPort} (prepare), {@link dev.rkj.engine.stage.PodRuntime}
 *       (start, watch, stop, probe), {@link dev.rkj.engine.stage.PodJanitorPort} (release, delete). A port
 *       reports an expected failure as a {@link dev.rkj.engine.stage.StageException} whose message is
 *       the reason recorded for the user.</li>
 *   <li><b>Steps</b> ({@code StageVerticle.Step}): a stage's port call and the command recording
 *       its outcome, run on Vert.x's worker pool and chained there (below). The launch verticle's
 *       watches, stops and releases, and gc, run from their verticle's context ({@code Blocking}).</li>
 *   <li><b>Verticles</b>, one per stage ({@link dev.rkj.engine.stage.FetchVerticle},
 *       {@link dev.rkj.engine.stage.VerifyVerticle}, {@link dev.rkj.engine.stage.UnpackVerticle} (render),
 *       {@link dev.rkj.engine.stage.PrepareVerticle}, {@link dev.rkj.engine.stage.LaunchVerticle},
 *       {@link dev.rkj.engine.stage.GcVerticle}): each decides from a pod's state whether its stage is
 *       due, runs the step and records the outcome ({@code PodLifecycle.decide}, so illegal moves are
 *       refused) or the failure ({@code StageFailed(stage, reason, retryable)}).</li>
 *   <li>{@link dev.rkj.engine.stage.PodEventDispatcher}: the one tail of the journal; folds each
 *       envelope into the projection and wakes the interested verticles on their contexts.</li>
 *   <li>{@link dev.rkj.engine.stage.PodRecorder}: decide against the projection at a known journal
 *       index, append only if the pod is unchanged since ({@code Journal.appendIfUnchanged}, across
 *       processes; the loser catches up and decides again), then fold its own events into the
 *       projection before returning (the tail skips them: each change is delivered once).</li>
 * </ul>
 *
 * <h2>Delivery and idempotence</h2>
 * Verticles are told "pod P changed", never handed the event to act on: they look at P's current
 * state. Redelivery, replay and recovery pokes are therefore the same call, and a stage runs only
 * when its fact is missing and it is not already working on the pod. Only the engine owning a pod
 * (its {@code PodOwner}) drives its preparation and run, and launches it only if it recorded the
 * request ({@code pod.launch-requested}); a garbage pod is deleted by the engine that recorded
 * {@code pod.delete-requested}. Intents live in the journal, never in a verticle's memory.
 *
 * <h2>Hops on the launch path</h2>
 * A pod's stages run back to back on one worker thread: the verticle told about the new pod claims
 * it ({@link dev.rkj.engine.stage.PodWork}: one piece of work per pod at a time in this engine),
 * runs its port on a worker, records the outcome there, and the next stage that wants the pod's new
 * state ({@code wants}, in the deploy order) runs its port on the same thread, until no stage wants
 * it or a stage's work belongs on its verticle's context (the launch hands its watch over to the
 * launch verticle). Each outcome is appended and folded before the next stage runs, so the journal,
 * the crash points and recovery see what they saw when each stage was woken through the
 * dispatcher; the verticles told about the intermediate states find the pod claimed and do
 * nothing, and are told again when the claim ends. Nothing sleeps or polls.
 *
 * <p>Depends on {@code dev.rkj.engine.pod}, {@code dev.rkj.eventlog} and Vert.x core.
 */
package dev.rkj.engine.stage;
