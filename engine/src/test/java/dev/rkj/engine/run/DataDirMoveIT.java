package dev.rkj.engine.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.Engine;
import dev.rkj.engine.EngineConfig;
import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.EnginePorts;
import dev.rkj.engine.host.StoreImages;
import dev.rkj.engine.image.Compression;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.stage.GcReport;
import dev.rkj.engine.store.ImageRecord;
import dev.rkj.engine.store.ImageStore;
import dev.rkj.engine.testing.TestImages;
import dev.rkj.eventlog.ChronicleJournal;
import dev.rkj.eventlog.Envelope;
import dev.rkj.stage1.Stage1Launcher;
import dev.rkj.stage1.kernel.MountInfo;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import dev.rkj.testsupport.TestRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A data directory is self-contained: an engine fetches an image, runs a pod to its exit and
 * prepares another; the directory is then copied elsewhere (after the host "reboots": no mount
 * survives) and the original deleted. An engine opened on the copy replays the same history,
 * lists the same pods, runs the prepared one and collects them all: no event names the old place.
 */
@ExtendWith(LeakCheck.class)
class DataDirMoveIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String IMAGE = "example.com/busybox";

    private Path work;
    private Path aci;
    private Opened open;

    @BeforeEach
    void prepare() throws Exception {
        Privileged.requireRoot();
        work = TestRun.newDir("datadir-move");
        Path imageDir = TestImages.busyboxImageDir(work.resolve("image"),
                TestImages.imageManifestJson(IMAGE, Map.of("version", "1.0"), "/bin/sh", "-c", "echo moved; exit 7"));
        aci = TestImages.gnuTarAci(imageDir, work.resolve("busybox.aci"), Compression.GZIP);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (work == null) {
            return;
        }
        try {
            if (open != null) {
                for (PodState pod : open.engine.list()) {
                    if (pod.status() == PodStatus.RUNNING) {
                        Engine.await(open.engine.stop(pod.podId(), true), WAIT);
                        Engine.await(open.engine.awaitStatus(pod.podId(), s -> s.status().isFinished(), WAIT), WAIT);
                    }
                }
                Engine.await(open.engine.gc(Duration.ZERO, Duration.ZERO, false), WAIT);
                open.close();
                open.host.cgroups().removeParentIfEmpty();
            }
        } finally {
            TestRun.deleteTree(work);
        }
    }

    @Test
    void aCopiedDataDirectoryReplaysRunsItsPreparedPodAndCollects() throws Exception {
        Path before = work.resolve("before");
        String exited;
        String prepared;
        List<String> listed;
        open = new Opened(before);
        ImageRecord image = open.store.fetch(aci);
        exited = Engine.await(open.engine.createPod(spec(), true), WAIT);
        assertEquals(7, Engine.await(open.engine.awaitStatus(exited, s -> s.status().isFinished(), WAIT), WAIT)
                .exitCode());
        prepared = Engine.await(open.engine.createPod(spec(), false), WAIT);
        Engine.await(open.engine.awaitStatus(prepared, s -> s.status() == PodStatus.PREPARED, WAIT), WAIT);
        listed = describe(open.engine.list());
        open.close();
        open = null;
        // A prepared pod holds no mount (its rootfs is mounted when it starts): the directory copies as it is.
        assertTrue(MountInfo.read().at(before.resolve("pods").resolve(prepared).resolve("rootfs")).isEmpty());

        Path after = work.resolve("elsewhere").resolve("rkj");
        copy(before, after);
        TestRun.deleteTree(before);
        assertFalse(Files.exists(before));

        open = new Opened(after);
        for (String event : journalText(open.journal)) {
            assertFalse(event.contains(before.toString()), "an event names the old data directory: " + event);
        }
        assertEquals(listed, describe(open.engine.list()), "the copy lists the same pods");
        assertEquals(image.id(), open.store.resolve(IMAGE).id());
        assertTrue(open.store.get(image.id()).treeId().isPresent(), "the rendered tree is known");

        Engine.await(open.engine.runPrepared(prepared), WAIT);
        PodState ran = Engine.await(open.engine.awaitStatus(prepared, s -> s.status().isFinished(), WAIT), WAIT);
        assertEquals(PodStatus.EXITED, ran.status(), ran.toString());
        assertEquals(7, ran.exitCode());
        Path podDir = after.resolve(Stage1Host.PODS).resolve(prepared);
        assertEquals("moved\n", AppOutput.of(podDir, "busybox"));
        assertTrue(MountInfo.read().at(podDir.resolve("rootfs")).isEmpty(), "rootfs released after the exit");

        GcReport gc = Engine.await(open.engine.gc(Duration.ZERO, Duration.ZERO, false), WAIT);
        assertEquals(Set.of(exited, prepared), Set.copyOf(gc.deleted()), gc.toString());
        assertFalse(Files.exists(podDir));
        assertFalse(Files.exists(after.resolve(Stage1Host.PODS).resolve(exited)));
        assertEquals(PodStatus.DELETED, open.engine.pod(exited).status());
    }

    private static PodSpec spec() {
        return new PodSpec(IMAGE, null, List.of(), Map.of(), null, PodSpec.NetMode.NONE, null, null, false,
                Set.of(PodSpec.InsecureOption.IMAGE));
    }

    /** Each pod as id, status and exit code, in the list's order. */
    private static List<String> describe(List<PodState> pods) {
        return pods.stream().map(p -> p.podId() + " " + p.status().displayName() + " " + p.exitCode()
                + " " + p.manifestDigest() + " " + p.treeId()).toList();
    }

    private static List<String> journalText(ChronicleJournal journal) throws Exception {
        List<String> text = new ArrayList<>();
        journal.replay(0, (Envelope e) -> text.add(e.type() + " " + e.payloadJson()));
        return text;
    }

    private static void copy(Path from, Path to) throws Exception {
        Files.createDirectories(to.getParent());
        Process cp = new ProcessBuilder("cp", "-a", from.toString(), to.toString()).inheritIO().start();
        assertTrue(cp.waitFor(2, TimeUnit.MINUTES), "cp -a did not end");
        assertEquals(0, cp.exitValue(), "cp -a " + from + " " + to);
    }

    /** An engine on {@code dataDir} with the real host: Chronicle journal, image store, native stage1. */
    private static final class Opened implements AutoCloseable {
        final ChronicleJournal journal;
        final ImageStore store;
        final Stage1Host host;
        final Engine engine;

        Opened(Path dataDir) throws Exception {
            Files.createDirectories(dataDir);
            journal = ChronicleJournal.open(dataDir.resolve("journal"), EngineEvents.registry());
            store = ImageStore.open(dataDir.resolve(ImageStore.DIRECTORY), journal);
            host = Stage1Host.open(dataDir, TestRun.cgroupParent(),
                    new Stage1Launcher.Output(dataDir.resolve("stage1.out"), dataDir.resolve("stage1.err")));
            StoreImages images = new StoreImages(store);
            EnginePorts ports = new EnginePorts(images, new InsecureOnlyImageVerifier(), images, host.preparer(images),
                    host.runtime(), host.janitor());
            engine = Engine.open(EngineConfig.builder(dataDir, ports).journal(journal).build());
        }

        @Override
        public void close() {
            engine.close();
            journal.close();
        }
    }
}
