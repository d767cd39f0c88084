package dev.rkj.engine.host;

import dev.rkj.engine.Durations;
import dev.rkj.engine.appc.ImageId;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.store.GcResult;
import dev.rkj.engine.store.ImageNotFoundException;
import dev.rkj.engine.store.ImageRecord;
import dev.rkj.engine.store.ImageRenderer;
import dev.rkj.engine.store.ImageStore;
import dev.rkj.engine.store.ImageStoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code rkj image gc}, as rkt's: removes the images no pod needs and that were neither fetched nor
 * used within a grace period, then what {@link ImageStore#gc()} sweeps (trees and blobs of removed
 * images, leftovers of interrupted work). Each removal is journaled as {@code rkj image rm}'s is
 * ({@code image.removed}, {@code image.tree-removed}).
 *
 * <p>The one rule ({@link #unused}): an image is kept if
 * <ul>
 *   <li>a pod that is not deleted (being prepared, prepared, running, exited, garbage, aborted)
 *       has resolved to it, or is being prepared from a reference that names it now: its tree may
 *       be a pod's overlay lower directory;</li>
 *   <li>it was fetched ({@code image.stored}) or last used by a pod (the time of that pod's last
 *       event; deleted pods count) less than the grace period ago;</li>
 *   <li>or it is a dependency of a kept image (rendering that image again needs it).</li>
 * </ul>
 * The pods are read before the images are removed; a pod created in between that names an image
 * fetched longer ago than the grace period can lose the race, which is what the grace period is
 * for (rkt's default, {@link #DEFAULT_GRACE_PERIOD}).
 */
public final class ImageCollector {
    /** rkt's default {@code --grace-period} of {@code image gc}. */
    public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofHours(24);

    private final ImageStore store;
    private final Clock clock;

    public ImageCollector(ImageStore store, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * What {@link #collect} did.
     *
     * @param removed   each image removed, with why it could go
     * @param failed    each image that could not be removed, with the store's reason
     * @param leftovers what the store's own gc removed afterwards
     */
    public record Report(Map<ImageRecord, String> removed, Map<ImageId, String> failed, GcResult leftovers) {
        public Report {
            removed = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(removed));
            failed = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(failed));
            Objects.requireNonNull(leftovers, "leftovers");
        }
    }

    /**
     * Removes the images {@link #unused} says can go, then runs the store's gc.
     *
     * @param pods every pod the journal knows, deleted ones included
     * @throws ImageStoreException if the store cannot be read or its gc fails; an image that cannot
     *                             be removed is reported in {@link Report#failed()} and the others
     *                             are still removed
     */
    public Report collect(Collection<PodState> pods, Duration gracePeriod) throws ImageStoreException {
        Objects.requireNonNull(gracePeriod, "gracePeriod");
        List<ImageRecord> images = store.list();
        ImageRenderer renderer = new ImageRenderer(store);
        Map<ImageRecord, String> unused = unused(images, pods, reference -> resolve(reference),
                id -> dependencies(renderer, id), clock.instant(), gracePeriod);
        Map<ImageRecord, String> removed = new LinkedHashMap<>();
        Map<ImageId, String> failed = new LinkedHashMap<>();
        for (Map.Entry<ImageRecord, String> image : unused.entrySet()) {
            try {
                store.remove(image.getKey().id());
                removed.put(image.getKey(), image.getValue());
            } catch (ImageNotFoundException e) {
                // removed by someone else meanwhile: what gc wanted
            } catch (ImageStoreException e) {
                failed.put(image.getKey().id(), e.getMessage());
            }
        }
        return new Report(removed, failed, store.gc());
    }

    /**
     * The images to remove, oldest use first, each with why it can go (see the class comment).
     *
     * @param resolve      the image a pod being prepared would resolve its reference to now
     * @param dependencies the images rendering an image needs (itself included), transitively
     */
    static Map<ImageRecord, String> unused(List<ImageRecord> images, Collection<PodState> pods,
                                           Function<String, Optional<ImageId>> resolve,
                                           Function<ImageId, List<ImageId>> dependencies,
                                           Instant now, Duration gracePeriod) {
        Set<String> inUse = new HashSet<>();
        Map<String, Instant> lastUsed = new HashMap<>();
        for (PodState pod : pods) {
            if (pod.image() != null) {
                for (PodState.PodImage image : pod.images()) { // every app's
                    lastUsed.merge(image.id(), pod.updatedAt() == null ? Instant.MIN : pod.updatedAt(),
                            (a, b) -> a.isAfter(b) ? a : b);
                    if (pod.status() != PodStatus.DELETED) {
                        inUse.add(image.id());
                    }
                }
            } else if (pod.status().isBeingPrepared() && pod.spec() != null) {
                for (var app : pod.spec().apps()) {
                    resolve.apply(app.imageRef()).ifPresent(id -> inUse.add(id.toString()));
                }
            }
        }
        Instant cutoff = now.minus(gracePeriod);
        Map<ImageRecord, String> unused = new LinkedHashMap<>();
        List<ImageRecord> kept = new ArrayList<>();
        for (ImageRecord image : images) {
            String id = image.id().toString();
            Instant used = lastUsed.get(id);
            Instant latest = used != null && used.isAfter(image.importTime()) ? used : image.importTime();
            if (inUse.contains(id) || latest.isAfter(cutoff)) {
                kept.add(image);
            } else {
                unused.put(image, (used == null ? "never used by a pod" : "no pod uses it") + ", last fetched or used "
                        + Durations.words(Duration.between(latest, now)) + " ago");
            }
        }
        Set<ImageId> needed = new HashSet<>();
        for (ImageRecord image : kept) {
            needed.addAll(dependencies.apply(image.id()));
        }
        unused.keySet().removeIf(image -> needed.contains(image.id()));
        List<Map.Entry<ImageRecord, String>> ordered = new ArrayList<>(unused.entrySet());
        ordered.sort(Map.Entry.comparingByKey(java.util.Comparator.comparing(ImageRecord::importTime)));
        Map<ImageRecord, String> result = new LinkedHashMap<>();
        ordered.forEach(e -> result.put(e.getKey(), e.getValue()));
        return result;
    }

    private Optional<ImageId> resolve(String reference) {
        try {
            return Optional.of(store.resolve(reference).id());
        } catch (ImageStoreException | RuntimeException e) {
            return Optional.empty(); // a file, a URL or nothing the store has: no stored image to keep for it
        }
    }

    /** The images rendering {@code id} needs; only itself if its dependencies cannot be resolved now. */
    private static List<ImageId> dependencies(ImageRenderer renderer, ImageId id) {
        try {
            return renderer.plan(id).order();
        } catch (ImageStoreException | RuntimeException e) {
            return List.of(id);
        }
    }
}
