package dev.rkj.stage1.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordingKernelTest {
    @TempDir
    Path tmp;

    @Test
    void scriptedFailuresComeOnceEachThenCallsSucceed() throws Exception {
        RecordingKernel k = new RecordingKernel().failNext("umount2", Errno.EBUSY);
        k.mount("overlay", tmp, "overlay", 0, "lowerdir=/l");
        KernelException e = assertThrows(KernelException.class, () -> k.umount2(tmp, 0));
        assertEquals(Errno.EBUSY, e.errno());
        k.umount2(tmp, 0);
        assertEquals(3, k.calls().size());
        assertTrue(k.mountInfo().mounts().isEmpty());
    }

    @Test
    void cgroupfsEmulationCopiesControlFilesAndRefusesRmdirWithProcesses() throws Exception {
        Files.writeString(tmp.resolve("cgroup.procs"), "1\n");
        Files.writeString(tmp.resolve("memory.max"), "max\n");
        RecordingKernel k = new RecordingKernel().emulateCgroupfs(tmp);
        Path pod = tmp.resolve("pod");
        k.mkdir(pod, 0755);
        assertEquals("max\n", Files.readString(pod.resolve("memory.max")));
        assertEquals("", Files.readString(pod.resolve("cgroup.procs")));
        Files.writeString(pod.resolve("cgroup.procs"), "42\n");
        assertEquals(Errno.EBUSY, assertThrows(KernelException.class, () -> k.rmdir(pod)).errno());
        Files.writeString(pod.resolve("cgroup.procs"), "");
        k.rmdir(pod);
        assertTrue(Files.notExists(pod));
    }
}
