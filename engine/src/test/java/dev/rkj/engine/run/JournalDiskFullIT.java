package dev.rkj.engine.run;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.rkj.eventlog.ChronicleJournal;
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
