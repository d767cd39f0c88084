/**
 * Restart and ownership: {@link dev.rkj.engine.recovery.Liveness} (which engines are alive;
 * {@link dev.rkj.engine.recovery.FlockLiveness} holds {@code <data dir>/engines/<id>.lock}) and the
 * {@link dev.rkj.engine.recovery.Reconciler}, which after replay adopts the pods of dead engines
 * ({@code pod.adopted}, compare-and-set) and makes the journal match the host: resumes
 * preparations, fails launches that were never recorded, watches running pods again and records
 * the exits of those that ended, from the statuses stage1 wrote, or as lost.
 *
 * <p>Depends on {@code dev.rkj.engine.stage}, {@code dev.rkj.engine.pod}, {@code dev.rkj.eventlog} and
 * (for the lock files) {@code dev.rkj.stage1.kernel}.
 */
package dev.rkj.engine.recovery;
