package dev.rkj.engine.store;

import dev.rkj.engine.image.Trees;
import dev.rkj.engine.appc.Dependency;
import dev.rkj.engine.appc.ImageId;
import dev.rkj.engine.image.AciUnpacker;
import dev.rkj.engine.image.PathLimits;
import dev.rkj.engine.image.UnpackException;
import dev.rkj.engine.image.UnpackOptions;
import dev.rkj.engine.store.ImageEvent.TreeRendered;
import dev.rkj.engine.store.RenderPlan.Layer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Renders an image with its dependencies into {@code cas/trees/<id>/rootfs} (ace.md
 * "Filesystem Setup"), the read-only lower directory of pods' overlays.
 *
 * <ol>
 *   <li>Dependencies are resolved from the store ({@link #plan}): by ID when the manifest pins
 *       a full one (the image found must carry the dependency's name), else by name and labels
 *       ({@link ImageIndex#byName}); recursively, depth first, in manifest order. A missing
 *       dependency or a cycle is an error naming it.</li>
 *   <li>Each layer's ACI is unpacked (checked against its image ID, with its whitelist: the
 *       {@code pathWhitelist}s of the image and of every image depending on it on that path)
 *       and laid over the layers before it, dependencies first and the image itself last
 *       ({@link LayerMerger}: a later layer replaces files, directories and symlinks alike).</li>
 *   <li>The whole tree is built in a temporary directory beside the target and renamed into
 *       place; it is never modified after.</li>
 * </ol>
 * Rendering takes the image's lock, so concurrent renders of one image, from threads or
 * processes, render once: the others wait and return the same tree. {@code image.rendered} is
 * appended once per tree.
 */
public final class ImageRenderer {
    /** The most layers one rendering may extract (a deep diamond of dependencies grows fast). */
    public static final int MAX_LAYERS = 256;

    private final ImageStore store;
    private final UnpackOptions options;
    private final AciUnpacker unpacker;

    /** Renders with {@link UnpackOptions#defaults()}: devices refused, ownership kept when root. */
    public ImageRenderer(ImageStore store) {
        this(store, UnpackOptions.defaults());
    }

    /** @param options limits and policy for each layer; its whitelist and expected ID are set per layer */
    public ImageRenderer(ImageStore store, UnpackOptions options) {
        this(store, options, new AciUnpacker());
    }

    public ImageRenderer(ImageStore store, UnpackOptions options, AciUnpacker unpacker) {
        this.store = store;
        this.options = options;
        this.unpacker = unpacker;
    }

    /** The layers {@code id} renders from, in order, without touching the disk. */
    public RenderPlan plan(ImageId id) throws ImageStoreException {
        ImageIndex index = store.index();
        ImageRecord image = index.get(id);
        List<Layer> layers = new ArrayList<>();
        visit(index, image, new ArrayList<>(), layers);
        return new RenderPlan(id, layers);
    }

    private void visit(ImageIndex index, ImageRecord image, List<ImageRecord> dependents, List<Layer> layers)
            throws ImageRenderException, ImageStoreException {
        for (int i = 0; i < dependents.size(); i++) {
            if (dependents.get(i).id().equals(image.id())) {
                // dependents is nearest first: the cycle, from the image that comes back down to it
                List<ImageRecord> down = new ArrayList<>(dependents.subList(0, i + 1));
                Collections.reverse(down);
                down.add(image);
                throw new DependencyCycleException(down.stream().map(ImageRecord::id).collect(Collectors.toList()),
                        "the dependencies of " + describe(dependents.get(dependents.size() - 1)) + " form a cycle: "
                                + down.stream().map(ImageRenderer::describe).collect(Collectors.joining(" -> "))
                                + "; fix the manifests so no image depends on itself");
            }
        }
        List<ImageRecord> chain = new ArrayList<>();
        chain.add(image);
        chain.addAll(dependents);
        if (chain.size() > MAX_LAYERS) {
            // each image on the chain is a layer of its own: refused before the walk goes deeper
            throw tooManyLayers(chain);
        }
        for (String path : image.manifest().pathWhitelist()) {
            // checked at fetch; an image stored before that check must not make the whitelists' walks costly
            Optional<String> problem = PathLimits.problemOfAbsolute(path);
            if (problem.isPresent()) {
                throw new ImageRenderException("rendering " + describe(chain.get(chain.size() - 1)) + ": "
                        + describe(image) + " has pathWhitelist entry '" + PathLimits.abbreviate(path) + "': " + problem.get());
            }
        }
        for (Dependency dependency : image.manifest().dependencies()) {
            visit(index, resolve(index, image, dependency), chain, layers);
        }
        List<List<String>> whitelists = chain.stream().map(i -> i.manifest().pathWhitelist()).collect(Collectors.toList());
        layers.add(new Layer(image.id(), image.displayName(),
                dependents.stream().map(ImageRecord::id).collect(Collectors.toList()), Whitelists.intersect(whitelists)));
        if (layers.size() > MAX_LAYERS) {
            throw tooManyLayers(chain);
        }
    }

    private static ImageRenderException tooManyLayers(List<ImageRecord> chain) {
        return new ImageRenderException("rendering " + describe(chain.get(chain.size() - 1)) + " needs more than "
                + MAX_LAYERS + " layers (shared dependencies repeat on every path); flatten the image's dependencies");
    }

    private static ImageRecord resolve(ImageIndex index, ImageRecord image, Dependency dependency)
            throws MissingDependencyException {
        String name = dependency.imageName().value();
        String wanted = name + (dependency.labels().isEmpty() ? "" : " " + dependency.labels())
                + dependency.imageIdText().map(id -> " " + id).orElse("");
        Optional<ImageId> pinned = dependency.imageId();
        if (pinned.isPresent()) {
            Optional<ImageRecord> found = index.find(pinned.get());
            if (found.isEmpty()) {
                throw new MissingDependencyException(wanted, describe(image) + " depends on " + wanted
                        + ", which is not in the store; fetch that image, then render again");
            }
            if (!found.get().name().equals(name)) {
                throw new MissingDependencyException(wanted, describe(image) + " depends on " + wanted
                        + ", but the stored image with that ID is named " + found.get().name()
                        + "; fix the dependency's imageName or imageID");
            }
            return found.get();
        }
        try {
            return index.byName(name, dependency.labels().asMap());
        } catch (ImageNotFoundException e) {
            throw new MissingDependencyException(wanted, describe(image) + " depends on " + wanted
                    + ", and no stored image matches it; fetch it, then render again");
        }
    }

    private static String describe(ImageRecord image) {
        return image.displayName() + " (" + image.id().shortString() + ")";
    }

    /**
     * Renders {@code id} unless its tree exists already; returns {@code cas/trees/<id>/rootfs}.
     * Nothing is left behind when it fails.
     */
    public Path render(ImageId id) throws ImageStoreException {
        if (store.readOnly()) {
            ImageRecord image = store.get(id);
            Path tree = store.treePath(id);
            if (image.treeId().isPresent() && Trees.isRealDirectory(tree)) {
                return tree.resolve("rootfs");
            }
            store.checkWritable("render " + describe(image) + " (it has no rendered tree yet)");
        }
        try (FileMutex.Held gc = ImageStore.lock(store.gcMutex(), false);
                FileMutex.Held held = ImageStore.lock(store.imageMutex(id), true)) {
            ImageRecord image = store.get(id);
            Path tree = store.treePath(id);
            if (Trees.isRealDirectory(tree)) {
                if (image.treeId().isEmpty()) {
                    // renamed into place by a process that died before recording it
                    store.append(id, new TreeRendered(id.toString(), ImageStore.treeId(id)));
                }
                return tree.resolve("rootfs");
            }
            RenderPlan plan = plan(id);
            Path work;
            try {
                work = Files.createTempDirectory(store.treesDirectory(), "." + id + ".unpack-");
                Files.setAttribute(work, "unix:mode", 0700);
            } catch (IOException e) {
                throw new ImageRenderException("cannot render " + describe(image) + ": cannot create a temporary directory in "
                        + store.treesDirectory() + ": " + e, e);
            }
            ImageStoreException failure = null;
            try {
                Path built = build(image, plan, work);
                if (publish(image, built, tree)) {
                    store.append(id, new TreeRendered(id.toString(), ImageStore.treeId(id)));
                }
                return tree.resolve("rootfs");
            } catch (ImageStoreException e) {
                failure = e;
                throw e;
            } finally {
                try {
                    Trees.deleteRecursively(work);
                } catch (IOException e) {
                    if (failure != null) {
                        failure.addSuppressed(e);
                    }
                    // otherwise the leftover temporary is removed by the next gc
                }
            }
        }
    }

    private Path build(ImageRecord image, RenderPlan plan, Path work) throws ImageStoreException {
        Path out = work.resolve("tree");
        Path rootfs = out.resolve("rootfs");
        LayerMerger merger = new LayerMerger(options.preserveOwnership());
        try {
            Files.createDirectory(out);
            Files.setAttribute(out, "unix:mode", 0700);
            Files.createDirectory(rootfs);
            Files.setAttribute(rootfs, "unix:mode", 0755);
        } catch (IOException e) {
            throw new ImageRenderException("cannot render " + describe(image) + ": cannot create " + rootfs + ": " + e, e);
        }
        int number = 0;
        for (Layer layer : plan.layers()) {
            if (layer.keepsNothing()) {
                continue;
            }
            Path blob = store.blobPath(layer.imageId());
            if (!Files.isRegularFile(blob, LinkOption.NOFOLLOW_LINKS)) {
                throw new ImageRenderException("cannot render " + describe(image) + ": the ACI of layer " + layer.name()
                        + " (" + layer.imageId().shortString() + ") is missing from " + blob
                        + "; remove that image and fetch it again");
            }
            Path extracted = work.resolve("layer-" + number++);
            UnpackOptions layerOptions = options.withExpectedImageId(layer.imageId().toString())
                    .withPathWhitelist(layer.keep().orElse(Set.of()));
            try {
                unpacker.unpack(blob, extracted, layerOptions);
            } catch (UnpackException e) {
                throw new ImageRenderException("cannot render " + describe(image) + ": layer " + layer.name() + " ("
                        + layer.imageId().shortString() + "): " + e.getMessage(), e);
            }
            try {
                merger.merge(extracted.resolve("rootfs"), rootfs);
                Trees.deleteRecursively(extracted);
            } catch (IOException e) {
                throw new ImageRenderException("cannot render " + describe(image) + ": cannot lay layer " + layer.name()
                        + " (" + layer.imageId().shortString() + ") over the ones before it: " + e, e);
            }
        }
        Path manifest = out.resolve("manifest");
        try {
            Files.writeString(manifest, image.manifestJson(), StandardCharsets.UTF_8);
            Files.setAttribute(manifest, "unix:mode", 0644);
        } catch (IOException e) {
            throw new ImageRenderException("cannot render " + describe(image) + ": cannot write " + manifest + ": " + e, e);
        }
        return out;
    }

    /** Renames the built tree into place; false when another renderer got there first (its tree stands). */
    private static boolean publish(ImageRecord image, Path built, Path tree) throws ImageRenderException {
        try {
            Files.move(built, tree, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            return false;
        } catch (IOException e) {
            if (Trees.isRealDirectory(tree) && hasEntries(tree)) {
                return false;
            }
            throw new ImageRenderException("cannot render " + describe(image) + ": cannot rename " + built + " to " + tree
                    + ": " + e, e);
        }
    }

    private static boolean hasEntries(Path dir) {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Renders {@code id} (if needed) and copies the result to {@code target}: {@code manifest} and
     * {@code rootfs/}, or with {@code rootfsOnly} the rootfs's contents. The copy is made beside
     * {@code target} and renamed into place.
     *
     * @param overwrite replace {@code target} if it exists; otherwise an existing target is an error
     */
    public void renderTo(ImageId id, Path target, boolean rootfsOnly, boolean overwrite) throws ImageStoreException {
        Path rootfs = render(id);
        Path source = rootfsOnly ? rootfs : rootfs.getParent();
        Path absolute = target.toAbsolutePath().normalize();
        if (!overwrite && Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
            throw new ImageStoreException(absolute + " already exists: pass --overwrite to replace it, or choose another directory");
        }
        Path temp = null;
        try {
            Files.createDirectories(absolute.getParent());
            temp = Files.createTempDirectory(absolute.getParent(), "." + absolute.getFileName() + ".unpack-");
            Path copy = temp.resolve("copy");
            new TreeCopier(options.preserveOwnership()).copy(source, copy);
            if (overwrite) {
                Trees.deleteRecursively(absolute);
            }
            Files.move(copy, absolute, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            throw new ImageStoreException(absolute + " already exists: pass --overwrite to replace it, or choose another directory", e);
        } catch (IOException e) {
            throw new ImageStoreException("cannot copy the rendered image " + id + " to " + absolute + ": " + e, e);
        } finally {
            if (temp != null) {
                try {
                    Trees.deleteRecursively(temp);
                } catch (IOException e) {
                    // a leftover temporary beside the target is harmless; the copy itself is whole or absent
                }
            }
        }
    }
}
