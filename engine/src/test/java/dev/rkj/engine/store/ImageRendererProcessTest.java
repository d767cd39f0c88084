package dev.rkj.engine.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.store.ImageEvent.TreeRendered;
import dev.rkj.engine.testing.TreeSnapshot;
import dev.rkj.eventlog.ChildJvm;
import dev.rkj.eventlog.ChronicleJournal;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two JVMs render the same image at once over one data directory: one renders, both get the tree. */
class ImageRendererProcessTest {
    @TempDir
    Path dir;

    @Test
    void concurrentRendersFromTwoProcessesRenderOnce() throws Exception {
        Path journalDir = dir.resolve("journal");
        try (ChronicleJournal journal = ChronicleJournal.open(journalDir, EngineEvents.registry())) {
            StoreFixture f = new StoreFixture(dir, journal);
            ImageRendererTest.Diamond g = new ImageRendererTest.Diamond(f);
            String[] args = {f.store.directory().toString(), journalDir.toString(), g.idA.toString()};
            try (ChildJvm one = ChildJvm.start(dir, RenderInChild.class, args);
                    ChildJvm two = ChildJvm.start(dir, RenderInChild.class, args)) {
                one.expectLine("ready");
                two.expectLine("ready");
                one.send("go");
                two.send("go");

                List<String> first = one.finish();
                List<String> second = two.finish();

                Path rootfs = f.store.treePath(g.idA).resolve("rootfs");
                assertEquals(List.of(rootfs.toString()), first);
                assertEquals(List.of(rootfs.toString()), second);
            }
            assertEquals(List.of(new TreeRendered(g.idA.toString(), g.idA.toString())),
                    f.events(TreeRendered.class));
            assertEquals(List.of(g.idA.toString()), f.entries("trees"), "one tree, no temporaries");
            assertEquals(g.idA.toString(), f.store.get(g.idA).treeId().orElseThrow());
            Path rootfs = new ImageRenderer(f.store).render(g.idA);
            assertEquals("A", java.nio.file.Files.readString(rootfs.resolve("etc/os-release")));
            assertEquals(15, TreeSnapshot.of(rootfs).nodes().size());
        }
    }
}
