package dev.rkj.engine.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.appc.ImageId;
import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.store.ImageEvent.ImageRemoved;
import dev.rkj.engine.store.ImageEvent.ImageStored;
import dev.rkj.engine.store.ImageEvent.TreeRemoved;
import dev.rkj.engine.store.ImageEvent.TreeRendered;
import dev.rkj.engine.testing.TestImages;
import dev.rkj.eventlog.InMemoryJournal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The index as a pure projection: given image events (and others), what it holds. */
class ImageIndexTest {
    private static final ImageId A = ImageId.parse("sha512-" + "a".repeat(128));
    private static final ImageId B = ImageId.parse("sha512-" + "b".repeat(128));

    private final InMemoryJournal journal = new InMemoryJournal(EngineEvents.registry());

    private static ImageStored stored(ImageId id, String name, String version) {
        String manifest = TestImages.imageManifestJson(name, Map.of("version", version));
        return new ImageStored(id.toString(), name, Map.of("version", version), json(manifest), 100, 1024, "xz", "/src/" + name, null);
    }

    @Test
    void foldsStoredRenderedRemovedAndStoredAgain() throws Exception {
        journal.append(A.toString(), stored(A, "example.com/a", "1.0.0"));
        journal.append("6f1c2a3b-0000-4000-8000-00000000000a", new PodEvent.PodDeleted("6f1c2a3b-0000-4000-8000-00000000000a"));
        journal.append(B.toString(), stored(B, "example.com/b", "2.0.0"));
        journal.append(A.toString(), new TreeRendered(A.toString(), A.toString()));

        ImageIndex index = ImageIndex.replay(journal);

        assertEquals(List.of(A, B), index.list().stream().map(ImageRecord::id).toList());
        ImageRecord a = index.get(A);
        assertEquals(Optional.of(A.toString()), a.treeId());
        assertEquals(100, a.blobSize());
        assertEquals(1024, a.uncompressedSize());
        assertEquals("example.com/a:1.0.0", a.displayName());
        assertEquals(0, a.importIndex());
        assertEquals(4, index.nextIndex());

        journal.append(A.toString(), new ImageRemoved(A.toString()));
        journal.append(A.toString(), new TreeRemoved(A.toString(), A.toString()));
        index.catchUp(journal);
        assertFalse(index.contains(A));
        assertThrows(ImageNotFoundException.class, () -> index.get(A));

        journal.append(A.toString(), stored(A, "example.com/a", "1.0.0"));
        index.catchUp(journal);
        assertEquals(List.of(B, A), index.list().stream().map(ImageRecord::id).toList(), "a re-import is the newest");
        assertEquals(Optional.empty(), index.get(A).treeId());
        assertEquals(6, index.get(A).importIndex());
    }

    @Test
    void anImageStoredOnlyForAnotherArchIsNotFoundByNameWithAMessageSayingSo() throws Exception {
        String manifest = "{\"acKind\": \"ImageManifest\", \"acVersion\": \"0.8.11\", \"name\": \"example.com/~user/app_v1\","
                + " \"labels\": [{\"name\": \"os\", \"value\": \"linux\"}, {\"name\": \"arch\", \"value\": \"s390x\"}]}";
        journal.append(A.toString(), new ImageStored(A.toString(), "example.com/~user/app_v1",
                Map.of("os", "linux", "arch", "s390x"), json(manifest), 1, 1, "none", "/src/a", null));
        ImageIndex index = ImageIndex.replay(journal);

        ImageNotFoundException e = assertThrows(ImageNotFoundException.class, () -> index.byName("example.com/~user/app_v1",
                new java.util.TreeMap<>(Map.of("os", "linux", "arch", "amd64"))));

        assertEquals("no image in the store is example.com/~user/app_v1 with labels {arch=amd64, os=linux}: it is stored"
                + " for linux/s390x only; run it by its image ID if this machine can run that (e.g. with qemu-user and"
                + " binfmt_misc) (see 'rkj image list'; fetch it with 'rkj fetch')", e.getMessage());
        assertEquals(A, index.byName("example.com/~user/app_v1", Map.of("os", "linux", "arch", "s390x")).id());
        assertEquals(A, index.resolve(A.toString()).id(), "by ID it is found, as rkt ran it");
    }

    @Test
    void catchingUpTwiceAppliesEachEventOnce() throws Exception {
        journal.append(A.toString(), stored(A, "example.com/a", "1.0.0"));
        ImageIndex index = ImageIndex.replay(journal);

        index.catchUp(journal);
        index.catchUp(journal);

        assertEquals(1, index.list().size());
        assertEquals(1, index.nextIndex());
    }

    @Test
    void aStoredManifestThatNoLongerValidatesIsKeptButNamedWhenLookedUp() throws Exception {
        journal.append(A.toString(), new ImageStored(A.toString(), "example.com/a", Map.of(), json("{\"acKind\": \"Nope\"}"),
                1, 1, "gzip", "/src/a", null));

        ImageIndex index = ImageIndex.replay(journal);

        assertTrue(index.contains(A), "still stored: it can be removed");
        assertEquals(List.of(), index.list());
        ImageStoreException e = assertThrows(ImageStoreException.class, () -> index.get(A));
        assertTrue(e.getMessage().contains("manifest no longer validates") && e.getMessage().contains("rkj image rm"),
                e.getMessage());
    }

    private static com.fasterxml.jackson.databind.JsonNode json(String text) {
        try {
            return dev.rkj.eventlog.Json.mapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
