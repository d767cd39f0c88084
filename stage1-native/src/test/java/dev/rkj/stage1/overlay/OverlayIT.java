package dev.rkj.stage1.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.stage1.kernel.Backoff;
import dev.rkj.stage1.kernel.Errno;
import dev.rkj.stage1.kernel.KernelException;
import dev.rkj.stage1.kernel.LinuxKernel;
import dev.rkj.stage1.kernel.MountInfo;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import dev.rkj.testsupport.TestRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheck.class)
class OverlayIT {
    private final Overlay overlay = new Overlay(LinuxKernel.get(), MountInfo::read, 3, Backoff.exponential());
    private Path dir;
    private Path lower;
    private Path rootfs;
    private Process busy;

    @BeforeEach
    void setUp() throws Exception {
        Privileged.requireRoot();
        dir = TestRun.newDir("overlay");
        lower = Files.createDirectories(dir.resolve("tree"));
        Files.writeString(lower.resolve("image-file"), "from the image\n");
        rootfs = dir.resolve("pod/rootfs");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (busy != null) {
            busy.destroyForcibly().waitFor();
        }
        overlay.unmount(rootfs);
        TestRun.deleteTree(dir);
    }

    private void mount() throws Exception {
        overlay.mount(lower, dir.resolve("pod/upper"), dir.resolve("pod/work"), rootfs);
    }

    @Test
    void thePodSeesTheImageAndItsWritesLandInTheUpperDir() throws Exception {
        mount();
        assertEquals("from the image\n", Files.readString(rootfs.resolve("image-file")));
        Files.writeString(rootfs.resolve("image-file"), "changed by the pod\n");
        assertEquals("changed by the pod\n", Files.readString(dir.resolve("pod/upper/image-file")));
        assertEquals("from the image\n", Files.readString(lower.resolve("image-file")));
    }

    @Test
    void theMountTableNamesNoLayerPathSoThePodCannotLearnTheDataDirectory() throws Exception {
        mount();
        String line = Files.readAllLines(MountInfo.SELF).stream()
                .filter(l -> l.contains(" " + rootfs + " ")).findFirst().orElseThrow();
        String entry = line.substring(line.indexOf(" - ")); // type, source, options: what the pod sees too
        assertFalse(entry.contains(lower.toString()) || entry.contains(dir.resolve("pod").toString()), line);
        assertTrue(entry.contains("lowerdir=/proc/self/fd/"), entry);
    }

    @Test
    void mountingAndUnmountingTwiceIsIdempotent() throws Exception {
        mount();
        mount();
        assertEquals(1, MountInfo.read().mounts().stream().filter(m -> m.mountPoint().equals(rootfs)).count());
        overlay.unmount(rootfs);
        overlay.unmount(rootfs);
        assertFalse(overlay.isMounted(rootfs));
    }

    @Test
    void aBusyMountFailsWithEbusyNamingItThenUnmountsOnceFree() throws Exception {
        mount();
        busy = new ProcessBuilder("sleep", "1000").directory(rootfs.toFile()).start();
        KernelException e = assertThrows(KernelException.class, () -> overlay.unmount(rootfs));
        assertEquals(Errno.EBUSY, e.errno());
        assertTrue(e.getMessage().startsWith("umount2 `" + rootfs + "`: EBUSY"), e.getMessage());
        busy.destroyForcibly().waitFor();
        overlay.unmount(rootfs);
        assertFalse(overlay.isMounted(rootfs));
    }
}
