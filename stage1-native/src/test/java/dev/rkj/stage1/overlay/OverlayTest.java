package dev.rkj.stage1.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.stage1.kernel.Backoff;
import dev.rkj.stage1.kernel.Errno;
import dev.rkj.stage1.kernel.KernelException;
import dev.rkj.stage1.kernel.RecordingKernel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        List<RecordingKernel.Call> opens = kernel.calls("open");
        assertEquals(List.of(lower, pod.resolve("upper"), pod.resolve("work")),
                opens.stream().map(c -> c.args().get(0)).toList());
        assertEquals("lowerdir=/proc/self/fd/100,upperdir=/proc/self/fd/101,workdir=/proc/self/fd/102",
                mount.args().get(4));
        assertEquals(3, kernel.calls("close").size(), "the layer descriptors are closed after the mount");
        assertTrue(Files.isDirectory(pod.resolve("upper")) && Files.isDirectory(pod.resolve("work")));
    }

    @Test
    void theMountNamesNoHostPathOnlyTheLowerTreesDeviceAndInode() throws Exception {
        overlay.mount(lower, pod.resolve("upper"), pod.resolve("work"), pod.resolve("rootfs"));
        RecordingKernel.Call mount = kernel.calls("mount").get(0);
        String source = (String) mount.args().get(1);
        String data = (String) mount.args().get(4);
        assertTrue(source.matches("rkj-lower-[0-9a-f]+-[0-9]+"), source);
        assertFalse((source + data).contains(tmp.toString()), source + " " + data);
    }

    @Test
    void anOverlayOfAnotherTreeThereIsAnError() throws Exception {
        Path other = Files.createDirectories(tmp.resolve("cas/trees/sha512-2/rootfs"));
        overlay.mount(other, pod.resolve("upper"), pod.resolve("work"), pod.resolve("rootfs"));
        IOException e = assertThrows(IOException.class,
                () -> overlay.mount(lower, pod.resolve("upper"), pod.resolve("work"), pod.resolve("rootfs")));
        assertTrue(e.getMessage().contains("not the overlay of `" + lower + "`"), e.getMessage());
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
    void layerPathsWithCommasAndColonsNeedNoEscaping() throws Exception {
        Path odd = Files.createDirectories(tmp.resolve("a,b:c/rootfs"));
        overlay.mount(odd, pod.resolve("upper"), pod.resolve("work"), pod.resolve("rootfs"));
        assertTrue(overlay.isMounted(pod.resolve("rootfs")));
    }
}
