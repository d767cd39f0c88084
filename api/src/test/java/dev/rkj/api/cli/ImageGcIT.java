package dev.rkj.api.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.host.HostEngine;
import dev.rkj.stage1.cgroup.CgroupLayout;
import dev.rkj.stage1.cgroup.Cgroups;
import dev.rkj.stage1.kernel.LinuxKernel;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import dev.rkj.testsupport.TestImages;
import dev.rkj.testsupport.TestRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code rkj image gc [--grace-period]} with real pods: an image a pod uses stays, an unused one goes. */
@ExtendWith(LeakCheck.class)
class ImageGcIT {
    private Path dir;
    private Path data;

    @BeforeEach
    void setUp() throws Exception {
        Privileged.requireRoot();
        dir = TestRun.newDir("imagegc");
        data = Files.createDirectories(dir.resolve("data"));
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (data != null) {
            rkj("gc", "--grace-period=0s", "--expire-prepared=0s");
            TestRun.deleteTree(dir);
        }
    }

    @AfterAll
    static void removeCgroupParentIfEmpty() throws Exception {
        if (Privileged.isRoot()) {
            new Cgroups(LinuxKernel.get(), CgroupLayout.detect(), HostEngine.CGROUP_PARENT).removeParentIfEmpty();
        }
    }

    private Path image(String name) throws Exception {
        Path src = dir.resolve("src-" + name);
        TestImages.busybox(src.resolve("rootfs"));
        Files.writeString(src.resolve("manifest"), """
                {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/%s",
                 "labels": [{"name": "version", "value": "1.0.0"}, {"name": "os", "value": "linux"}, {"name": "arch", "value": "amd64"}],
                 "app": {"exec": ["/bin/true"], "user": "0", "group": "0"}}
                """.formatted(name));
        Path aci = dir.resolve(name + ".aci");
        CliRun built = rkj("image", "build", src.toString(), aci.toString());
        assertEquals(0, built.code(), built.err());
        return aci;
    }

    private CliRun rkj(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--dir";
        all[1] = data.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return CliRun.of(all);
    }

    private String ok(String... args) {
        CliRun run = rkj(args);
        assertEquals(0, run.code(), String.join(" ", args) + ": " + run.err());
        return run.out();
    }

    @Test
    void gcRemovesOnlyImagesNoPodUsesAndOnlyOnceTheGracePeriodIsOver() throws Exception {
        String used = ok("fetch", "--insecure-options=image", image("used").toString()).strip();
        String unused = ok("fetch", "--insecure-options=image", image("unused").toString()).strip();
        String pod = ok("prepare", "--net=none", "--insecure-options=image", "example.com/used:1.0.0").strip();
        Path usedTree = data.resolve("cas/trees").resolve(used);
        assertTrue(Files.isDirectory(usedTree), "the prepared pod's tree");

        assertEquals("nothing to remove\n", ok("image", "gc"), "both were fetched less than 24h ago");
        assertTrue(ok("image", "list", "--full").contains(unused));

        String gc = ok("image", "gc", "--grace-period=0s");
        assertTrue(gc.contains("successfully removed aci for image: " + unused + " (example.com/unused:1.0.0;"
                + " never used by a pod"), gc);
        assertFalse(gc.contains(used), gc);
        String list = ok("image", "list", "--full");
        assertTrue(list.contains(used), list);
        assertFalse(list.contains(unused), list);
        assertTrue(Files.isDirectory(usedTree), "the tree under the prepared pod stays");
        assertFalse(Files.exists(data.resolve("cas/blobs").resolve(unused)));
        String removals = ok("journal", "show", "--type", "image.removed");
        assertTrue(removals.contains(unused) && !removals.contains(used), removals);

        ok("rm", pod);
        assertEquals("nothing to remove\n", ok("image", "gc"), "used by a pod a moment ago");
        gc = ok("image", "gc", "--grace-period=0s");
        assertTrue(gc.contains("successfully removed aci for image: " + used + " (example.com/used:1.0.0; no pod uses it"),
                gc);
        assertFalse(Files.exists(usedTree));
        assertEquals("", ok("image", "list", "--no-legend").strip());
    }

    @Test
    void aBadGracePeriodIsRefusedInOneLine() {
        CliRun run = rkj("image", "gc", "--grace-period=soon");
        assertEquals(254, run.code());
        assertTrue(run.oneLineError(), run.err());
        assertTrue(run.err().contains("--grace-period: \"soon\" is not a duration"), run.err());
    }
}
