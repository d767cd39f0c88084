/**
 * The pod lifecycle model, pure and free of I/O: {@link dev.rkj.engine.pod.PodStatus},
 * the {@link dev.rkj.engine.pod.PodEvent} facts, the {@link dev.rkj.engine.pod.PodCommand}s,
 * {@link dev.rkj.engine.pod.PodLifecycle#decide decide} and
 * {@link dev.rkj.engine.pod.PodLifecycle#evolve evolve}, the in-memory
 * {@link dev.rkj.engine.pod.PodProjection} and a pod's {@link dev.rkj.engine.pod.PodHistory}.
 *
 * <p>Depends on the JDK, {@code dev.rkj.eventlog.WireName} and the appc model's
 * {@code LinuxCapability} (the default capability set) only; the stage verticles,
 * recovery, GC and the CLI build on it.
 */
package dev.rkj.engine.pod;
