package dev.rkj.stage1.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.stage1.kernel.Backoff;
import dev.rkj.stage1.kernel.Errno;
import dev.rkj.stage1.kernel.KernelException;
import dev.rkj.stage1.kernel.RecordingKernel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlayTest {
    @TempDir
    Path tmp;
    private final RecordingKernel kernel = new RecordingKernel();
    private Overlay overlay;
    private Path lower;
    private Path pod;

    @BeforeEach
    void setUp() throws IOException {
        overlay = new Overlay(kernel, kernel::mountInfo, 3, Backoff.none());
        lower = Files.createDirectories(tmp.resolve("cas/trees/sha512-1/rootfs"));
        pod = tmp.resolve("pods/u");
    }

    @Test
    void mountsTheSharedTreeReadOnlyUnderThePodsUpperAndWorkDirs() throws Exception {
        overlay.mount(lower, pod.resolve("upper"), pod.resolve("work"), pod.resolve("rootfs"));
        RecordingKernel.Call mount = kernel.calls("mount").get(0);
        assertEquals(pod.resolve("rootfs"), mount.args().get(0));
        assertEquals("overlay", mount.args().get(2));
        assertEquals("lowerdir=" + lower + ",upperdir=" + pod.resolve("upper") + ",workdir=" + pod.resolve("work"),
                mount.args().get(4));
        assertTrue(Files.isDirectory(pod.resolve("upper")) && Files.isDirectory(pod.resolve("work")));
    }

    @Test
    void mountingTwiceIsDoneAlready() throws Exception {
        overlay.mount(lower, pod.resolve("upper"), pod.resolve("work"), pod.resolve("rootfs"));
        overlay.mount(lower, pod.resolve("upper"), pod.resolve("work"), pod.resolve("rootfs"));
        assertEquals(1, kernel.calls("mount").size());
    }

    @Test
    void somethingElseMountedThereIsAnError() throws Exception {
        kernel.mount("tmpfs", pod.resolve("rootfs"), "tmpfs", 0, null);
        IOException e = assertThrows(IOException.class,
                () -> overlay.mount(lower, pod.resolve("upper"), pod.resolve("work"), pod.resolve("rootfs")));
        assertTrue(e.getMessage().contains("already has a tmpfs mount"), e.getMessage());
    }

    @Test
    void unmountRetriesWhileBusy() throws Exception {
        overlay.mount(lower, pod.resolve("upper"), pod.resolve("work"), pod.resolve("rootfs"));
        kernel.failNext("umount2", Errno.EBUSY, 2);
        overlay.unmount(pod.resolve("rootfs"));
        assertEquals(3, kernel.calls("umount2").size());
        assertTrue(!overlay.isMounted(pod.resolve("rootfs")));
    }

    @Test
    void unmountGivesUpWithAClearEbusy() throws Exception {
        overlay.mount(lower, pod.resolve("upper"), pod.resolve("work"), pod.resolve("rootfs"));
        kernel.failNext("umount2", Errno.EBUSY, 3);
        KernelException e = assertThrows(KernelException.class, () -> overlay.unmount(pod.resolve("rootfs")));
        assertTrue(e.getMessage().startsWith("umount2 `" + pod.resolve("rootfs") + "`: EBUSY (Device or resource busy)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("fuser"), e.getMessage());
    }

    @Test
    void unmountingWhatIsNotMountedIsDone() throws Exception {
        overlay.unmount(pod.resolve("rootfs"));
        assertTrue(kernel.calls("umount2").isEmpty());
    }

    @Test
    void layerPathsOverlayfsCannotCarryAreRefused() {
        IOException e = assertThrows(IOException.class,
                () -> overlay.mount(tmp.resolve("a,b"), pod.resolve("upper"), pod.resolve("work"), pod.resolve("rootfs")));
        assertTrue(e.getMessage().contains("a,b"));
    }
}
