package dev.rkj.engine.recovery;

import dev.rkj.engine.pod.PodOwner;
import dev.rkj.stage1.kernel.LinuxKernel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Engine locks with real flock(2): a registered engine is alive until it closes its registration;
 * a probe takes its own open file description, so it sees the lock as another process would.
 */
class FlockLivenessTest {
    private static final PodOwner ME = new PodOwner("engine-a", ProcessHandle.current().pid());

    @TempDir
    Path dir;

    private FlockLiveness liveness() {
        return new FlockLiveness(dir.resolve("engines"), LinuxKernel.get());
    }

    @Test
    void aRegisteredEngineIsAliveUntilItsRegistrationCloses() throws IOException {
        FlockLiveness liveness = liveness();
        Liveness.Registration registration = liveness.register(ME);
        assertTrue(liveness.isAlive(ME));
        assertTrue(Files.exists(liveness.lockFile("engine-a")));
        registration.close();
        assertFalse(liveness.isAlive(ME));
        assertFalse(Files.exists(liveness.lockFile("engine-a")));
        registration.close(); // idempotent
    }

    @Test
    void anEngineThatNeverRegisteredIsNotAlive() throws IOException {
        assertFalse(liveness().isAlive(new PodOwner("never", 1)));
    }

    @Test
    void aStaleLockFileOfADeadEngineMeansDeadAndIsRemovedByTheNextRegistration() throws IOException {
        FlockLiveness liveness = liveness();
        Files.createDirectories(dir.resolve("engines"));
        Files.writeString(liveness.lockFile("crashed"), "4242\n"); // left by a killed engine: nobody holds it
        PodOwner crashed = new PodOwner("crashed", 4242);
        assertFalse(liveness.isAlive(crashed));
        try (Liveness.Registration r = liveness.register(ME)) {
            assertFalse(Files.exists(liveness.lockFile("crashed")));
            assertTrue(liveness.isAlive(ME));
        }
    }

    @Test
    void anEngineIdInUseByALiveEngineIsRefused() throws IOException {
        FlockLiveness liveness = liveness();
        try (Liveness.Registration r = liveness.register(ME)) {
            IOException e = assertThrows(IOException.class, () -> liveness.register(new PodOwner("engine-a", 1)));
            assertTrue(e.getMessage().contains("engine id engine-a is in use by a live engine"), e.getMessage());
            assertTrue(liveness.isAlive(ME), "the refused registration must not break the live one");
        }
        assertEquals(0, Files.list(dir.resolve("engines")).count(), "no temp or lock file left");
    }
}
