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
 *   <li><b>Steps</b>, one small class per stage ({@code ResolveImageStep}, {@code VerifyImageStep},
 *       {@code RenderTreeStep}, {@code PreparePodStep}, {@code DeletePodStep}): one method returning a
 *       Vert.x {@code Future}, the port called on Vert.x's worker pool. The run stage has no step:
 *       {@link dev.rkj.engine.stage.LaunchVerticle} calls the pod runtime and the janitor itself.</li>
 *   <li><b>Verticles</b>, one per stage ({@link dev.rkj.engine.stage.FetchVerticle},
 *       {@link dev.rkj.engine.stage.VerifyVerticle}, {@link dev.rkj.engine.stage.UnpackVerticle} (render),
 *       {@link dev.rkj.engine.stage.PrepareVerticle}, {@link dev.rkj.engine.stage.LaunchVerticle},
 *       {@link dev.rkj.engine.stage.GcVerticle}): each decides from a pod's state whether its stage is
 *       due, runs the step and records the outcome ({@code PodLifecycle.decide}, so illegal moves are
 *       refused) or the failure ({@code StageFailed(stage, reason, retryable)}).</li>
 *   <li>{@link dev.rkj.engine.stage.PodEventDispatcher}: the one tail of the journal; folds each
 *       envelope into the projection and wakes the interested verticles on their contexts.</li>
 *   <li>{@link dev.rkj.engine.stage.PodRecorder}: decide and append, against the latest state.</li>
 * </ul>
 *
 * <h2>Delivery and idempotence</h2>
 * Verticles are told "pod P changed", never handed the event to act on: they look at P's current
 * state. Redelivery, replay and recovery pokes are therefore the same call, and a stage runs only
 * when its fact is missing and it is not already working on the pod. Only the engine owning a pod
 * (its {@code PodOwner}) drives its preparation and run; garbage pods are deleted by whichever engine
 * was asked to.
 *
 * <h2>Hops on the launch path</h2>
 * An append made in this process wakes the tail at once; the tail hands the pod to the verticle's
 * event loop; the step runs on a worker, which records the outcome itself (no hop back), which
 * wakes the tail for the next stage. Nothing sleeps or polls.
 *
 * <p>Depends on {@code dev.rkj.engine.pod}, {@code dev.rkj.eventlog} and Vert.x core.
 */
package dev.rkj.engine.stage;
