package dev.rkj.stage1.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountInfoTest {
    private static final String TABLE = """
            22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            90 22 0:50 / /var/lib/rkj/pods/a\\040b/rootfs rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w
            91 90 0:51 / /var/lib/rkj/pods/a\\040b/rootfs rw master:7 - tmpfs none rw
            """;

    @Test
    void parsesFieldsAfterTheOptionalOnes() {
        MountInfo info = MountInfo.parse(TABLE);
        MountInfo.Mount cg = info.mounts().get(1);
        assertEquals(Path.of("/sys/fs/cgroup/memory"), cg.mountPoint());
        assertEquals("cgroup", cg.fsType());
        assertEquals(List.of("rw", "memory"), cg.superOptions());
    }

    @Test
    void unescapesOctalSpacesInMountPoints() {
        MountInfo info = MountInfo.parse(TABLE);
        assertTrue(info.at(Path.of("/var/lib/rkj/pods/a b/rootfs")).isPresent());
    }

    @Test
    void atReturnsTheTopmostMount() {
        MountInfo info = MountInfo.parse(TABLE);
        assertEquals("tmpfs", info.at(Path.of("/var/lib/rkj/pods/a b/rootfs")).orElseThrow().fsType());
    }
}
