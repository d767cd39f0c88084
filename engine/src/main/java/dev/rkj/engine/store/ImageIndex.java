package dev.rkj.engine.store;

import dev.rkj.engine.appc.ImageId;
import dev.rkj.engine.appc.ImageManifest;
import dev.rkj.engine.appc.LabelMatch;
import dev.rkj.engine.appc.Labels;
import dev.rkj.engine.appc.ManifestCodec;
import dev.rkj.engine.appc.ManifestException;
import dev.rkj.engine.image.Compression;
import dev.rkj.engine.image.LeftOut;
import dev.rkj.engine.store.ImageEvent.ImageRemoved;
import dev.rkj.engine.store.ImageEvent.ImageStored;
import dev.rkj.engine.store.ImageEvent.TreeRemoved;
import dev.rkj.engine.store.ImageEvent.TreeRendered;
import dev.rkj.eventlog.Envelope;
import dev.rkj.eventlog.Journal;
import dev.rkj.eventlog.JournalException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The images in the store: a projection of the journal's {@link ImageEvent}s, folded in journal
 * order and caught up on demand ({@link #catchUp}), so it survives restarts, sees what other
 * processes stored, and can be audited event by event. Other events are skipped.
 *
 * <p>Lookups ({@link #resolve}) take a full ID, a unique ID prefix, or a name with labels. For a
 * name, the matching images are ordered by {@link LabelMatch#BY_VERSION} and, among equal
 * versions, the most recent import wins (as rkt chose the latest import).
 *
 * <p>Thread-safe.
 */
public final class ImageIndex {
    private final Map<ImageId, ImageRecord> images = new LinkedHashMap<>(); // guarded by this
    private final Map<ImageId, String> unreadable = new LinkedHashMap<>(); // guarded by this
    private long nextIndex; // guarded by this

    /**
     * The index as it was after the envelopes below {@code nextIndex}, from what {@link #saved()}
     * returned then (a projection snapshot). Each manifest is validated again, as when it was stored.
     */
    public static ImageIndex restore(Saved saved) {
        ImageIndex index = new ImageIndex();
        for (Saved.Image image : saved.images()) {
            ImageId id = ImageId.parse(image.id());
            ImageManifest manifest;
            try {
                manifest = ManifestCodec.parseImageManifest(image.manifestJson().getBytes(StandardCharsets.UTF_8));
            } catch (ManifestException e) {
                index.unreadable.put(id, e.getMessage().replace('\n', ' '));
                continue;
            }
            index.images.put(id, new ImageRecord(id, manifest, image.manifestJson(), image.blobSize(),
                    image.uncompressedSize(), Compression.fromWireName(image.compression()).orElse(Compression.NONE),
                    image.source(), Optional.ofNullable(image.signature()), image.importTime(), image.importIndex(),
                    Optional.ofNullable(image.treeId()),
                    new LeftOut(image.leftOut() == null ? List.of() : image.leftOut(), image.leftOutCount()),
                    Optional.ofNullable(image.origin())));
        }
        saved.unreadable().forEach((id, problem) -> index.unreadable.put(ImageId.parse(id), problem));
        index.nextIndex = saved.nextIndex();
        return index;
    }

    /**
     * This index's state, plain values for a projection snapshot ({@link #restore} reads it back).
     *
     * @param nextIndex  the index of the next envelope to fold
     * @param images     the stored images, oldest import first
     * @param unreadable the images whose manifests no longer validate, with why
     */
    public record Saved(long nextIndex, List<Image> images, Map<String, String> unreadable) {
        public Saved {
            images = List.copyOf(images);
            unreadable = Map.copyOf(unreadable);
        }

        /** One {@link ImageRecord}, with its manifest as text. */
        public record Image(String id, String manifestJson, long blobSize, long uncompressedSize, String compression,
                            String source, String signature, java.time.Instant importTime, long importIndex,
                            String treeId, List<String> leftOut, int leftOutCount, ImageOrigin origin) {}
    }

    /** This index's state, for a projection snapshot. */
    public synchronized Saved saved() {
        List<Saved.Image> list = new ArrayList<>();
        for (ImageRecord r : images.values()) {
            list.add(new Saved.Image(r.id().toString(), r.manifestJson(), r.blobSize(), r.uncompressedSize(),
                    r.compression().wireName(), r.source(), r.signature().orElse(null), r.importTime(), r.importIndex(),
                    r.treeId().orElse(null), r.leftOut().paths(), r.leftOut().count(), r.origin().orElse(null)));
        }
        Map<String, String> broken = new LinkedHashMap<>();
        unreadable.forEach((id, problem) -> broken.put(id.toString(), problem));
        return new Saved(nextIndex, list, broken);
    }

    /** Reads every image event of {@code journal}. */
    public static ImageIndex replay(Journal journal) throws JournalException {
        ImageIndex index = new ImageIndex();
        index.catchUp(journal);
        return index;
    }

    /** Applies the events appended since the last catch-up (by any process). */
    public synchronized void catchUp(Journal journal) throws JournalException {
        journal.replay(nextIndex, this::apply);
    }

    /** Folds one envelope in; envelopes must come in journal order, each once. */
    public synchronized void apply(Envelope envelope) {
        if (envelope.index() < nextIndex) {
            return;
        }
        nextIndex = envelope.index() + 1;
        if (!(envelope.event() instanceof ImageEvent recorded)) {
            return;
        }
        ImageEvent event = ImageEvent.current(recorded);
        ImageId id = ImageId.parse(event.imageId());
        if (event instanceof ImageStored stored) {
            store(id, stored, envelope);
        } else if (event instanceof ImageRemoved) {
            images.remove(id);
            unreadable.remove(id);
        } else if (event instanceof TreeRendered rendered) {
            images.computeIfPresent(id, (k, image) -> image.withTree(Optional.of(rendered.treeId())));
        } else if (event instanceof TreeRemoved) {
            images.computeIfPresent(id, (k, image) -> image.withTree(Optional.empty()));
        }
    }

    private void store(ImageId id, ImageStored stored, Envelope envelope) {
        String manifestJson = stored.manifest().toString();
        ImageManifest manifest;
        try {
            manifest = ManifestCodec.parseImageManifest(manifestJson.getBytes(StandardCharsets.UTF_8));
        } catch (ManifestException e) {
            // validated when stored; only a stricter later model can refuse it now
            unreadable.put(id, e.getMessage().replace('\n', ' '));
            images.remove(id);
            return;
        }
        Compression compression = Compression.fromWireName(stored.compression()).orElse(Compression.NONE);
        Optional<String> tree = Optional.ofNullable(images.get(id)).flatMap(ImageRecord::treeId);
        images.remove(id); // re-import: it moves to the end of the import order
        images.put(id, new ImageRecord(id, manifest, manifestJson, stored.blobSize(), stored.uncompressedSize(),
                compression, stored.source(), Optional.ofNullable(stored.signature()), envelope.time(), envelope.index(),
                tree, stored.leftOutEntries(), Optional.ofNullable(stored.origin())));
        unreadable.remove(id);
    }

    /** The index of the next journal envelope this projection will read. */
    public synchronized long nextIndex() {
        return nextIndex;
    }

    /** Every stored image, oldest import first. */
    public synchronized List<ImageRecord> list() {
        return List.copyOf(images.values());
    }

    /** Whether the image is stored (even when its manifest no longer reads). */
    public synchronized boolean contains(ImageId id) {
        return images.containsKey(id) || unreadable.containsKey(id);
    }

    /** The stored image with this ID, if any. */
    public synchronized Optional<ImageRecord> find(ImageId id) {
        return Optional.ofNullable(images.get(id));
    }

    /** The stored image with this ID. */
    public ImageRecord get(ImageId id) throws ImageStoreException {
        Optional<ImageRecord> image = find(id);
        if (image.isPresent()) {
            return image.get();
        }
        String problem;
        synchronized (this) {
            problem = unreadable.get(id);
        }
        if (problem != null) {
            throw new ImageStoreException("image " + id + " is stored but its manifest no longer validates (" + problem
                    + "); remove it with 'rkj image rm " + id + "' and fetch it again");
        }
        throw new ImageNotFoundException(id.toString(), "image " + id + " is not in the store"
                + " (see 'rkj image list'; fetch it with 'rkj fetch')");
    }

    /**
     * Finds an image by a reference: an ID or unique ID prefix, or a name with labels, e.g.
     * {@code example.com/app:1.0.0}. Labels missing from a name reference match any value; no
     * host os/arch defaults are added here (see {@link LabelMatch#withHostDefaults}).
     *
     * @throws IllegalArgumentException if the reference is malformed
     */
    public ImageRecord resolve(String reference) throws ImageStoreException {
        return resolve(ImageReference.parse(reference));
    }

    public ImageRecord resolve(ImageReference reference) throws ImageStoreException {
        if (reference instanceof ImageReference.ById byId) {
            return byPrefix(byId.text(), byId.prefix());
        }
        ImageReference.ByName byName = (ImageReference.ByName) reference;
        return byName(byName.name(), byName.labels());
    }

    private ImageRecord byPrefix(String text, ImageId.Prefix prefix) throws ImageStoreException {
        Optional<ImageId> full = prefix.toImageId();
        if (full.isPresent()) {
            return get(full.get());
        }
        List<ImageRecord> matches;
        synchronized (this) {
            matches = images.values().stream().filter(i -> prefix.matches(i.id()))
                    .sorted(Comparator.comparing(i -> i.id().hex())).collect(Collectors.toList());
        }
        if (matches.isEmpty()) {
            throw new ImageNotFoundException(text, "no image in the store has an ID starting with \"" + text
                    + "\" (see 'rkj image list --full')");
        }
        if (matches.size() > 1) {
            throw new AmbiguousImageException(text, matches);
        }
        return matches.get(0);
    }

    /**
     * The image named {@code name} whose labels match {@code labels} (appc rules, {@link LabelMatch});
     * the highest version wins, then the latest import.
     */
    public ImageRecord byName(String name, Map<String, String> labels) throws ImageNotFoundException {
        List<ImageRecord> matches = matching(name, labels);
        if (matches.isEmpty()) {
            String wanted = labels.isEmpty() ? name : name + " with labels " + labels;
            throw new ImageNotFoundException(name, "no image in the store is " + wanted + otherPlatforms(name, labels)
                    + " (see 'rkj image list'; fetch it with 'rkj fetch')");
        }
        return matches.get(0);
    }

    /**
     * When images named {@code name} answer {@code labels} but for their {@code os}/{@code arch}: which
     * platforms they are for, and how to run one anyway (by ID, as rkt ran any image it was given by ID).
     */
    private String otherPlatforms(String name, Map<String, String> labels) {
        if (!labels.containsKey(Labels.OS) && !labels.containsKey(Labels.ARCH)) {
            return "";
        }
        Map<String, String> rest = new LinkedHashMap<>(labels);
        rest.remove(Labels.OS);
        rest.remove(Labels.ARCH);
        Set<String> platforms = new TreeSet<>();
        for (ImageRecord image : matching(name, rest)) {
            platforms.add(image.labels().os().orElse("any os") + "/" + image.labels().arch().orElse("any arch"));
        }
        if (platforms.isEmpty()) {
            return "";
        }
        return ": it is stored for " + String.join(", ", platforms) + " only; run it by its image ID if this machine"
                + " can run that (e.g. with qemu-user and binfmt_misc)";
    }

    /** The images matching a name and labels, best first (highest version, then latest import). */
    public synchronized List<ImageRecord> matching(String name, Map<String, String> labels) {
        Comparator<ImageRecord> best = Comparator.comparing(ImageRecord::manifest, LabelMatch.BY_VERSION)
                .thenComparingLong(ImageRecord::importIndex).reversed();
        List<ImageRecord> matches = new ArrayList<>();
        for (ImageRecord image : images.values()) {
            if (LabelMatch.matches(image.manifest(), name, labels)) {
                matches.add(image);
            }
        }
        matches.sort(best);
        return matches;
    }
}
