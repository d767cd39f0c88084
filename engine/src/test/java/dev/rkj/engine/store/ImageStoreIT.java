package dev.rkj.engine.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.appc.ImageId;
import dev.rkj.engine.image.UnpackOptions;
import dev.rkj.engine.testing.TreeSnapshot;
import dev.rkj.testsupport.Privileged;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** As root: owners, setuid/setgid bits and device nodes survive fetch, render, copy and extract. */
class ImageStoreIT {
    @TempDir
    Path dir;

    @BeforeEach
    void root() {
        Privileged.requireRoot();
    }

    private static TestImage owned() {
        return TestImage.named("example.com/owned").mtimesFrom(Instant.parse("2010-01-01T00:00:00Z"))
                .file("usr/bin/suid", "#!/bin/sh\n").owner("usr/bin/suid", 1000, 1000).mode("usr/bin/suid", 04755)
                .file("usr/bin/sgid", "#!/bin/sh\n").owner("usr/bin/sgid", 0, 50).mode("usr/bin/sgid", 02711)
                .directory("srv/shared", 0755).owner("srv/shared", 1000, 2000).mode("srv/shared", 03775)
                .file("srv/shared/data", "d").owner("srv/shared/data", 1001, 2001)
                .symlink("srv/link", "shared").owner("srv/link", 1002, 2002)
                .directory("home/user", 0700).owner("home/user", 1000, 1000)
                .charDevice("dev/null", 1, 3).mode("dev/null", 0666);
    }

    @Test
    void renderKeepsOwnersAndSpecialBitsAndLeavesOutDevNodesWhichAnAllowingExtractKeeps() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        Path source = owned().writeDirectory(f.work);
        ImageId id = f.store.fetch(TestImage.aciFrom(source, dev.rkj.engine.image.Compression.GZIP)).id();

        Path rootfs = new ImageRenderer(f.store).render(id);

        TreeSnapshot expected = TreeSnapshot.of(source.resolve("rootfs"));
        List<String> differences = expected.differencesFrom(TreeSnapshot.of(rootfs));
        assertEquals(1, differences.size(), differences.toString());
        assertTrue(differences.get(0).startsWith("'dev/null': ") && differences.get(0).endsWith(" vs null"),
                "the device node under /dev is left out by default, the pod mounts its own /dev: " + differences);
        assertEquals(04755, TreeSnapshot.of(rootfs).nodes().get("usr/bin/suid").mode());
        assertEquals(1002, TreeSnapshot.of(rootfs).nodes().get("srv/link").uid());

        Path copy = dir.resolve("copy");
        new ImageRenderer(f.store).renderTo(id, copy, true, false);
        assertEquals(List.of(), TreeSnapshot.of(rootfs).differencesFrom(TreeSnapshot.of(copy)));

        Path extracted = dir.resolve("extracted");
        f.store.extractTo(id, extracted, true, false, UnpackOptions.defaults().withAllowDeviceNodes(true));
        assertEquals(List.of(), expected.differencesFrom(TreeSnapshot.of(extracted)));
        assertEquals("char device", TreeSnapshot.of(extracted).nodes().get("dev/null").type(), "created when allowed");
    }

    @Test
    void anUpperDirectoryGivesItsOwnerAndModeWhileTheLowerFilesKeepTheirs() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        f.fetch(TestImage.named("example.com/base").directory("srv", 0750).owner("srv", 1000, 1000).mode("srv", 0750)
                .file("srv/base", "b").owner("srv/base", 1000, 1000).mode("srv/base", 04750));
        ImageId top = f.fetch(TestImage.named("example.com/top").dependsOn("example.com/base")
                .directory("srv", 0755).owner("srv", 0, 0).mode("srv", 01777).file("srv/top", "t"));

        TreeSnapshot s = TreeSnapshot.of(new ImageRenderer(f.store).render(top));

        assertEquals(0, s.nodes().get("srv").uid());
        assertEquals(01777, s.nodes().get("srv").mode());
        assertEquals(1000, s.nodes().get("srv/base").uid());
        assertEquals(04750, s.nodes().get("srv/base").mode());
        assertEquals(0, s.nodes().get("srv/top").uid());
    }
}
