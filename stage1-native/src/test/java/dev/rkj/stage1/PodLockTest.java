package dev.rkj.stage1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.stage1.kernel.RecordingKernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodLockTest {
    @TempDir
    Path pod;

    @Test
    void aPodThatNeverStartedHasNoLockAndIsNotHeld() throws Exception {
        assertFalse(new PodLock(new RecordingKernel()).held(pod));
    }

    @Test
    void heldWhenAnotherProcessHasTheExclusiveLock() throws Exception {
        Files.createFile(pod.resolve("lock"));
        RecordingKernel kernel = new RecordingKernel().holdLock(pod.resolve("lock"));
        assertTrue(new PodLock(kernel).held(pod));
    }

    @Test
    void theProbeTakesASharedNonBlockingLockAndClosesIt() throws Exception {
        Files.createFile(pod.resolve("lock"));
        RecordingKernel kernel = new RecordingKernel();
        assertFalse(new PodLock(kernel).held(pod));
        assertEquals(List.of("open", "flock", "close"), kernel.calls().stream().map(RecordingKernel.Call::name).toList());
        assertEquals(Kernel.LOCK_SH | Kernel.LOCK_NB, kernel.calls("flock").get(0).args().get(1));
    }
}
