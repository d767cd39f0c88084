/**
 * The appc model (the App Container specification): value types ({@link dev.rkj.engine.appc.AcIdentifier},
 * {@link dev.rkj.engine.appc.AcName}, {@link dev.rkj.engine.appc.AcVersion}, {@link dev.rkj.engine.appc.ImageId},
 * {@link dev.rkj.engine.appc.PodUuid}, {@link dev.rkj.engine.appc.Quantity}, {@link dev.rkj.engine.appc.Labels}),
 * the manifests ({@link dev.rkj.engine.appc.ImageManifest}, {@link dev.rkj.engine.appc.PodManifest}) and
 * {@link dev.rkj.engine.appc.ManifestCodec} to read and write them.
 *
 * <p>Every model object is valid once constructed: factories and constructors throw
 * IllegalArgumentException naming what is wrong; the codec reports all problems of a document at once
 * with their JSON paths. Depends on: {@code dev.rkj.engine.appc.wire} (the JSON form) and Jackson;
 * nothing else in rkj.
 */
package dev.rkj.engine.appc;
