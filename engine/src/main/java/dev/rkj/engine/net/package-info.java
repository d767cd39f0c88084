/**
 * Pod networking through CNI (the Container Network Interface, spec 1.0): the network
 * configurations rkj knows ({@link dev.rkj.engine.net.NetworkConfigs}: the built-in {@code default}
 * and {@code default-restricted}, and {@code net.d} files), the plugin executor
 * ({@link dev.rkj.engine.net.CniPlugins}: ADD, DEL, CHECK, chained through {@code prevResult}) and a
 * pod's networks ({@link dev.rkj.engine.net.PodNetworks}: join, check and leave them, with each
 * network's result cached in the pod directory so that teardown works after any crash).
 *
 * <p>Depends on the JDK, Jackson, {@code dev.rkj.engine.pod} (the request and attachment types) and
 * {@code dev.rkj.stage1} ({@code PodDir}, {@code Netns}); the pod runtime and janitor use it.
 */
package dev.rkj.engine.net;
