/**
 * The engine's side of the appc metadata service (ace.md, "App Container Metadata Service"):
 * where the service listens ({@link dev.rkj.engine.mds.MdsEndpoint}), a pod's registration (a
 * token of 256 random bits kept 0600 in the pod directory, {@link dev.rkj.engine.mds.MdsRegistry})
 * and the HMAC key that gives pods a verifiable identity ({@link dev.rkj.engine.mds.MdsKey}, kept
 * 0600 in the data directory). The service itself (HTTP) is in {@code dev.rkj.api.mds}; it keeps
 * no state of its own, so any service process serves every registered pod of its data directory.
 *
 * <p>Depends on {@code dev.rkj.stage1} ({@code PodDir}) and the JDK.
 */
package dev.rkj.engine.mds;
