/**
 * The image store in {@code <data dir>/cas}: {@link dev.rkj.engine.store.ImageStore} (fetch,
 * lookup, remove, gc, extract, export), the journal projection
 * {@link dev.rkj.engine.store.ImageIndex} of the {@link dev.rkj.engine.store.ImageEvent} facts,
 * and {@link dev.rkj.engine.store.ImageRenderer}, which lays an image over its dependencies
 * (ace.md "Filesystem Setup") into the read-only trees pods mount as overlay lower directories.
 *
 * <p>Depends on {@code dev.rkj.engine.appc} (manifests, IDs, label matching),
 * {@code dev.rkj.engine.image} (reading, unpacking and writing ACIs) and
 * {@code dev.rkj.eventlog} (the journal). Knows nothing of pods: whether a tree is still in use
 * is for the caller to decide before {@code remove}.
 *
 * <p>Choices where the spec leaves room, written down:
 * <ul>
 *   <li>A whitelist filters the files of its own image and of every image below it on that path;
 *       a layer keeps the intersection of those whitelists, and a layer whose intersection is
 *       empty is not extracted.</li>
 *   <li>A dependency pinned by a full image ID is taken by that ID and must carry the
 *       dependency's name; a partial ID ({@code sha512-...}) counts as no ID. The dependency's
 *       {@code size} is not checked.</li>
 *   <li>By name, the highest version ({@code LabelMatch.BY_VERSION}) wins, then the latest
 *       import (rkt took the latest import).</li>
 *   <li>Fetch accepts ACIs holding device nodes or FIFOs (they are valid ACIs); rendering
 *       refuses them unless its {@code UnpackOptions} allow device nodes.</li>
 * </ul>
 */
package dev.rkj.engine.store;
