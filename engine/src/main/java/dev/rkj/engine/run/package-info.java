/**
 * The real ports of the pod stages on this host, built on {@code dev.rkj.stage1} (overlayfs,
 * cgroups, the native stage1) and the appc model: {@link dev.rkj.engine.run.PodPlanner} (pod spec
 * and image manifest to pod manifest, pod manifest to stage1 plan and limits),
 * {@link dev.rkj.engine.run.Stage1PodPreparer}, {@link dev.rkj.engine.run.Stage1PodRuntime},
 * {@link dev.rkj.engine.run.Stage1PodJanitor}, all made by {@link dev.rkj.engine.run.Stage1Host};
 * and {@link dev.rkj.engine.run.InsecureOnlyImageVerifier}, a verifier for engines without a trust
 * store (benchmarks, tests: it allows only unverified use); the host's engines verify with
 * {@code dev.rkj.engine.host.TrustedImageVerifier}. The image source and renderer come from the image store, which also supplies the
 * preparer's {@link dev.rkj.engine.run.ImageManifestSource}.
 *
 * <p>Depends on {@code dev.rkj.engine.stage}, {@code dev.rkj.engine.pod}, {@code dev.rkj.engine.appc}
 * and {@code dev.rkj.stage1}.
 */
package dev.rkj.engine.run;
