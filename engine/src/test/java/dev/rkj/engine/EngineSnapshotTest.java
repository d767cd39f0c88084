package dev.rkj.engine;

import static dev.rkj.engine.EngineHarness.INSECURE;
import static dev.rkj.engine.EngineHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.fakes.FakePorts;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.snapshot.Snapshots;
import dev.rkj.engine.store.ImageEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An engine takes a projection snapshot at a clean shutdown and starts from it; a corrupt one only costs a longer replay. */
class EngineSnapshotTest {
    private final EngineHarness h = new EngineHarness();

    @TempDir
    Path dataDir;

    @AfterEach
    void close() {
        h.close();
    }

    private Engine open() throws EngineException {
        return Engine.open(EngineConfig.builder(dataDir, h.fakes.ports()).vertx(h.vertx).journal(h.journal)
                .liveness(h.liveness).clock(h.clock).snapshots(true).build());
    }

    @Test
    void aCleanShutdownTakesASnapshotTheNextStartUsesAndACorruptOneFallsBack() throws Exception {
        Engine first = open();
        String pod = await(first.createPod(INSECURE, false));
        EngineHarness.awaitStatus(first, pod, PodStatus.PREPARED);
        for (int i = 0; i < Snapshots.ON_SHUTDOWN; i++) {
            h.journal.append(FakePorts.IMAGE_ID, new ImageEvent.TreeRendered(FakePorts.IMAGE_ID, FakePorts.IMAGE_ID));
        }
        h.sync(first);
        long end = h.journal.nextIndex();
        await(first.shutdown());

        Snapshots snapshots = Snapshots.in(dataDir);
        assertTrue(snapshots.fileAt(end).isPresent(), "a snapshot at the journal's end, " + end);
        Snapshots.Base base = snapshots.load(h.journal);
        assertEquals(end, base.index());
        assertEquals(List.of(), base.warnings());

        Engine second = open();
        assertEquals(PodStatus.PREPARED, second.pod(pod).status(), "the pod, from the snapshot");
        assertEquals(end, second.projection().nextIndex());
        await(second.shutdown());

        Path file = snapshots.fileAt(end).orElseThrow();
        Files.writeString(file, "{\"format\": \"rkj-projection-snapshot\", \"vers");
        Engine third = open();
        assertEquals(PodStatus.PREPARED, third.pod(pod).status(), "the pod, from the whole journal");
        assertEquals(end, third.projection().nextIndex());
        await(third.shutdown());
    }
}
