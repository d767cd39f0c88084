package dev.rkj.engine.run;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.rkj.engine.Engine;
import dev.rkj.engine.EngineConfig;
import dev.rkj.engine.EngineException;
import dev.rkj.engine.EnginePorts;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.eventlog.ChronicleJournal;
import dev.rkj.stage1.Stage1Launcher;
import dev.rkj.eventlog.EventRegistry;
import dev.rkj.eventlog.Journal;
import dev.rkj.eventlog.JournalException;
import dev.rkj.eventlog.Tail;
import dev.rkj.eventlog.VerifyResult;
import dev.rkj.eventlog.WireName;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import dev.rkj.testsupport.TestRun;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A full disk under the journal: a small tmpfs (made and unmounted here) as the data directory,
 * filled by another writer while the journal appends, at many different moments. Every append
 * either succeeds or fails promptly with the one-line "no space" error; nothing hangs or faults;
 * the journal verifies afterwards and works again, with nothing lost, once space is freed.
 */
@ExtendWith(LeakCheck.class)
class JournalDiskFullIT {
    private static final int ROUNDS = 50;
    private static final Duration BOUND = Duration.ofSeconds(20);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @WireName("test.filler")
    record Filler(String text) {}

    private Path base;
    private Path data;
    private boolean mounted;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        Privileged.requireRoot();
        base = TestRun.newDir("disk-full");
        data = Files.createDirectory(base.resolve("data"));
        run("mount", "-t", "tmpfs", "-o", "size=12m", "rkjtest-disk-full", data.toString());
        mounted = true;
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            run("umount", data.toString());
        }
        TestRun.deleteTree(base);
    }

    @Test
    void appendsOnAFillingDiskFailCleanlyAndTheJournalRecoversWithNothingLost() throws Exception {
        EventRegistry registry = EventRegistry.of(Filler.class);
        Path journalDir = data.resolve("journal");
        Path hog = data.resolve("hog");
        String text = "x".repeat(1500);
        long expected = 0;
        int refusals = 0;
        for (int round = 0; round < ROUNDS; round++) {
            try (Journal journal = ChronicleJournal.open(journalDir, registry)) {
                assertEquals(expected, journal.nextIndex(), "round " + round + ": nothing lost, nothing extra");
                AtomicLong tailed = new AtomicLong(expected);
                try (Tail tail = journal.tail(expected, e -> tailed.set(e.index() + 1))) {
                    // Another writer takes the disk while the journal appends: it stops at a different moment each round.
                    long leave = (round * 97_003L) % (1 << 20);
                    CompletableFuture<Void> hogger = CompletableFuture.runAsync(() -> fillLeaving(hog, leave));
                    long failedAt = -1;
                    String failure = null;
                    for (int i = 0; i < 20_000 && failure == null; i++) {
                        long before = System.nanoTime();
                        try {
                            journal.append("round-" + round, new Filler(text + i));
                            expected++;
                        } catch (JournalException e) {
                            failedAt = journal.nextIndex();
                            failure = e.getMessage();
                        }
                        long took = System.nanoTime() - before;
                        if (took > BOUND.toNanos()) {
                            fail("round " + round + ": an append took " + took / 1_000_000 + " ms");
                        }
                    }
                    hogger.get(BOUND.toSeconds(), TimeUnit.SECONDS);
                    assertTrue(failure != null, "round " + round + ": the disk never filled");
                    refusals++;
                    assertTrue(failure.startsWith("journal: no space left on " + journalDir)
                            && failure.contains("free space there and retry"), failure);
                    assertTrue(!failure.contains("\n") && !failure.contains("Exception"), failure);
                    assertEquals(expected, failedAt, "a failed append leaves nothing behind");

                    long end = expected;
                    await().atMost(BOUND).until(() -> tailed.get() == end || tail.failure().isPresent());
                    assertTrue(tail.failure().isEmpty(), () -> "the tail survives: " + tail.failure());
                }
                VerifyResult verified = journal.verify();
                assertTrue(verified.ok(), "round " + round + ": " + verified);
            }
            Files.delete(hog);
            try (Journal journal = ChronicleJournal.open(journalDir, registry)) {
                journal.append("after", new Filler("space is back"));
                expected++;
                assertEquals(expected, journal.nextIndex());
                assertTrue(journal.verify().ok(), journal.verify().toString());
            }
            if (Files.getFileStore(data).getUsableSpace() < (6 << 20)) {
                // The journal itself now takes most of the small disk: start the next rounds with a new one.
                TestRun.deleteTree(journalDir);
                expected = 0;
            }
        }
        assertEquals(ROUNDS, refusals);
    }

    @Test
    void podsThatFillTheDiskEndWithoutAHangAndPodsRunAgainOnceSpaceIsFreed() throws Exception {
        RenderedImage image = RenderedImage.busybox(data, "/bin/true");
        Stage1Host host = Stage1Host.open(data, TestRun.cgroupParent(),
                new Stage1Launcher.Output(base.resolve("stage1.out"), base.resolve("stage1.err")));
        Engine engine = Engine.open(EngineConfig.builder(data, new EnginePorts(image, new InsecureOnlyImageVerifier(),
                image, host.preparer(image), host.runtime(), host.janitor())).build());
        try {
            for (int round = 0; round < 3; round++) {
                // The pod fills the disk from inside (its upper dir is on it), at a different point each round.
                long leave = round * 200_000L;
                String fill = "dd if=/dev/zero of=/hog bs=4k count=$(( ($(df -k / | tail -1 | awk '{print $4}') - "
                        + leave / 1024 + ") / 4 )) 2>/dev/null; dd if=/dev/zero of=/hog2 bs=4k 2>/dev/null; exit 3";
                String podId = Engine.await(engine.createPod(podSpec("/bin/sh", List.of("-c", fill)), true), WAIT);
                PodState end;
                try {
                    end = Engine.await(engine.awaitStatus(podId, s -> s.status().isFinished(), WAIT), WAIT);
                    assertEquals(PodStatus.EXITED, end.status(), end.toString());
                    assertEquals(3, end.exitCode(), end.toString());
                } catch (EngineException e) {
                    // The journal could not record the end: the waiter hears why, at once.
                    assertTrue(e.getMessage().contains("no space left"), e.getMessage());
                }
                assertTrue(Files.getFileStore(data).getUsableSpace() < (256 << 10), "the pod filled the disk");
                Engine.await(engine.gc(Duration.ZERO, Duration.ZERO, false), WAIT);
                await().atMost(WAIT).until(() -> Files.getFileStore(data).getUsableSpace() > (4 << 20));
                String next = Engine.await(engine.createPod(podSpec("/bin/sh", List.of("-c", "exit 5")), true), WAIT);
                assertEquals(5, Engine.await(engine.awaitStatus(next, s -> s.status().isFinished(), WAIT), WAIT)
                        .exitCode(), "pods run again once space is freed");
                Engine.await(engine.gc(Duration.ZERO, Duration.ZERO, false), WAIT);
            }
        } finally {
            for (PodState pod : engine.list()) {
                if (pod.status() == PodStatus.RUNNING) {
                    Engine.await(engine.stop(pod.podId(), true), WAIT);
                }
            }
            Engine.await(engine.gc(Duration.ZERO, Duration.ZERO, false), WAIT);
            engine.close();
            host.cgroups().removeParentIfEmpty();
        }
        try (Journal journal = ChronicleJournal.open(data.resolve("journal"), dev.rkj.engine.EngineEvents.registry())) {
            assertTrue(journal.verify().ok(), journal.verify().toString());
        }
    }

    private static PodSpec podSpec(String exec, List<String> args) {
        return new PodSpec(RenderedImage.NAME, exec, args, Map.of(), null, PodSpec.NetMode.NONE, null, null, false,
                Set.of(PodSpec.InsecureOption.IMAGE));
    }

    /** Writes {@code hog} until the disk has about {@code leave} bytes free (or none). */
    private static void fillLeaving(Path hog, long leave) {
        byte[] chunk = new byte[16 * 1024];
        try (OutputStream out = Files.newOutputStream(hog)) {
            while (Files.getFileStore(hog).getUsableSpace() > leave + chunk.length) {
                out.write(chunk);
                out.flush();
            }
        } catch (IOException full) {
            // the disk is full: that is the point
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out.strip());
        }
    }
}
