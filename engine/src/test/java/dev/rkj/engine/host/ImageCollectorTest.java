package dev.rkj.engine.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.appc.ImageId;
import dev.rkj.engine.appc.ImageManifest;
import dev.rkj.engine.image.Compression;
import dev.rkj.engine.image.LeftOut;
import dev.rkj.engine.pod.ImageSource;
import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.pod.PodLifecycle;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.store.ImageRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Which images {@code rkj image gc} removes: none a pod needs, none fetched or used within the grace period. */
class ImageCollectorTest {
    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");
    private static final Duration DAY = Duration.ofHours(24);
    private static final PodOwner OWNER = new PodOwner("engine-a", 100);

    private static ImageId id(int n) {
        return ImageId.parse("sha512-" + String.format("%02x", n).repeat(64));
    }

    private static ImageRecord image(int n, Instant fetched) {
        ImageManifest manifest = ImageManifest.builder("example.com/image-" + n).build();
        return new ImageRecord(id(n), manifest, "{}", 1, 1, Compression.GZIP, "/tmp/" + n + ".aci", Optional.empty(),
                fetched, n, Optional.of(id(n).toString()), LeftOut.NONE, Optional.empty());
    }

    /** A pod of image {@code n}: created and resolved at {@code resolved}, then {@code more} events at their times. */
    private static PodState pod(String uuid, int n, Instant resolved, Object... more) {
        PodState s = PodState.initial(uuid);
        s = PodLifecycle.evolve(s, new PodEvent.PodCreated(uuid, PodSpec.of("example.com/image-" + n), OWNER), resolved);
        if (n >= 0) {
            s = PodLifecycle.evolve(s, new PodEvent.ImageResolved(uuid, id(n).toString(), "example.com/image-" + n,
                    ImageSource.STORE), resolved);
        }
        for (int i = 0; i < more.length; i += 2) {
            s = PodLifecycle.evolve(s, (PodEvent) more[i], (Instant) more[i + 1]);
        }
        return s;
    }

    private static PodState deletedPod(String uuid, int n, Instant resolved, Instant deleted) {
        return pod(uuid, n, resolved,
                new PodEvent.StageFailed(uuid, dev.rkj.engine.pod.Stage.VERIFY, "unsigned", false), resolved,
                new PodEvent.PodMarkedGarbage(uuid, "removed with rkj rm"), deleted,
                new PodEvent.PodDeleted(uuid), deleted);
    }

    private static final Function<ImageId, List<ImageId>> NO_DEPENDENCIES = List::of;
    private static final Function<String, Optional<ImageId>> RESOLVES_NOTHING = ref -> Optional.empty();

    private static List<ImageId> unused(List<ImageRecord> images, List<PodState> pods, Duration grace) {
        return ImageCollector.unused(images, pods, RESOLVES_NOTHING, NO_DEPENDENCIES, NOW, grace).keySet().stream()
                .map(ImageRecord::id).toList();
    }

    @Test
    void anImageNoPodUsesGoesOnceItsGracePeriodIsOverOldestFirst() {
        ImageRecord old = image(1, NOW.minus(Duration.ofDays(3)));
        ImageRecord older = image(2, NOW.minus(Duration.ofDays(5)));
        ImageRecord fresh = image(3, NOW.minus(Duration.ofHours(1)));
        assertEquals(List.of(id(2), id(1)), unused(List.of(old, older, fresh), List.of(), DAY));
        assertEquals(List.of(id(2), id(1), id(3)), unused(List.of(old, older, fresh), List.of(), Duration.ZERO));
        Map<ImageRecord, String> why = ImageCollector.unused(List.of(old), List.of(), RESOLVES_NOTHING, NO_DEPENDENCIES,
                NOW, DAY);
        assertEquals("never used by a pod, last fetched or used 72h ago", why.get(old));
    }

    @Test
    void anImageOfAPodNotDeletedIsKeptWhateverItsAge() {
        ImageRecord used = image(1, NOW.minus(Duration.ofDays(30)));
        ImageRecord unused = image(2, NOW.minus(Duration.ofDays(30)));
        PodState exited = pod("6f1c2a3b-0000-4000-8000-000000000001", 1, NOW.minus(Duration.ofDays(20)),
                new PodEvent.StageFailed("6f1c2a3b-0000-4000-8000-000000000001", dev.rkj.engine.pod.Stage.VERIFY,
                        "unsigned", false), NOW.minus(Duration.ofDays(20)));
        assertEquals(List.of(id(2)), unused(List.of(used, unused), List.of(exited), Duration.ZERO));
    }

    @Test
    void anImageADeletedPodUsedWithinTheGracePeriodIsKeptThenGoes() {
        ImageRecord image = image(1, NOW.minus(Duration.ofDays(30)));
        PodState deleted = deletedPod("6f1c2a3b-0000-4000-8000-000000000002", 1, NOW.minus(Duration.ofDays(2)),
                NOW.minus(Duration.ofHours(2)));
        assertEquals(List.of(), unused(List.of(image), List.of(deleted), DAY), "used until 2h ago");
        assertEquals(List.of(id(1)), unused(List.of(image), List.of(deleted), Duration.ofHours(1)));
        assertEquals("no pod uses it, last fetched or used 2h ago", ImageCollector.unused(List.of(image),
                List.of(deleted), RESOLVES_NOTHING, NO_DEPENDENCIES, NOW, Duration.ofHours(1)).get(image));
    }

    @Test
    void aPodBeingPreparedKeepsTheImageItsReferenceNamesBeforeItResolvedIt() {
        ImageRecord image = image(1, NOW.minus(Duration.ofDays(30)));
        PodState embryo = pod("6f1c2a3b-0000-4000-8000-000000000003", -1, NOW);
        assertEquals(List.of(id(1)), unused(List.of(image), List.of(embryo), DAY));
        Map<ImageRecord, String> unused = ImageCollector.unused(List.of(image), List.of(embryo),
                ref -> ref.equals("example.com/image--1") ? Optional.of(id(1)) : Optional.empty(), NO_DEPENDENCIES, NOW, DAY);
        assertTrue(unused.isEmpty(), unused.toString());
    }

    @Test
    void theDependenciesOfAKeptImageAreKept() {
        ImageRecord app = image(1, NOW);
        ImageRecord base = image(2, NOW.minus(Duration.ofDays(30)));
        ImageRecord other = image(3, NOW.minus(Duration.ofDays(30)));
        Function<ImageId, List<ImageId>> appOnBase = id -> id.equals(id(1)) ? List.of(id(2), id(1)) : List.of(id);
        assertEquals(List.of(id(3)), ImageCollector.unused(List.of(app, base, other), List.of(), RESOLVES_NOTHING,
                appOnBase, NOW, DAY).keySet().stream().map(ImageRecord::id).toList());
    }
}
