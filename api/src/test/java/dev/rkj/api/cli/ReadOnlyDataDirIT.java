package dev.rkj.api.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.engine.host.HostEngine;
import dev.rkj.eventlog.Json;
import dev.rkj.stage1.cgroup.CgroupLayout;
import dev.rkj.stage1.cgroup.Cgroups;
import dev.rkj.stage1.kernel.LinuxKernel;
import dev.rkj.stage1.kernel.MountInfo;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import dev.rkj.testsupport.TestImages;
import dev.rkj.testsupport.TestRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A data directory rkj may read but not write (a read-only mount): every read command answers
 * from it, every write command says in one line that it is read-only; and on a writable data
 * directory the read commands write nothing at all. The data directory is made by the real CLI
 * (a pod run from an image built by the test).
 */
@ExtendWith(LeakCheck.class)
class ReadOnlyDataDirIT {
    private Path dir;
    private Path data;
    private Path readOnly;
    private Path aci;
    private String pod;
    private String image;

    @BeforeEach
    void runAPod() throws Exception {
        Privileged.requireRoot();
        dir = TestRun.newDir("readonly");
        data = Files.createDirectories(dir.resolve("data"));
        Path src = dir.resolve("src");
        TestImages.busybox(src.resolve("rootfs"));
        Files.writeString(src.resolve("manifest"), """
                {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/hello",
                 "labels": [{"name": "version", "value": "1.0.0"}, {"name": "os", "value": "linux"}, {"name": "arch", "value": "amd64"}],
                 "app": {"exec": ["/bin/sh", "-c", "echo hello"], "user": "0", "group": "0"}}
                """);
        aci = dir.resolve("hello.aci");
        assertEquals(0, CliRun.of("image", "build", src.toString(), aci.toString()).code());
        CliRun run = rkj(data, "run", "--net=none", "--insecure-options=image", aci.toString());
        assertEquals(0, run.code(), run.err());
        pod = Json.mapper().readTree(rkj(data, "list", "--format=json").out()).get(0).get("name").asText();
        image = Json.mapper().readTree(rkj(data, "image", "list", "--format=json").out()).get(0).get("id").asText();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (readOnly != null && mounted(readOnly)) {
            sh("umount", readOnly.toString());
        }
        if (data != null) {
            for (JsonNode p : Json.mapper().readTree(rkj(data, "list", "--format=json").out())) {
                if ("running".equals(p.get("state").asText())) {
                    rkj(data, "stop", "--force", p.get("name").asText());
                }
            }
            rkj(data, "gc", "--grace-period=0s", "--expire-prepared=0s");
            TestRun.deleteTree(dir);
        }
    }

    @AfterAll
    static void removeCgroupParentIfEmpty() throws Exception {
        if (Privileged.isRoot()) {
            new Cgroups(LinuxKernel.get(), CgroupLayout.detect(), HostEngine.CGROUP_PARENT).removeParentIfEmpty();
        }
    }

    @Test
    void readCommandsWorkOnAReadOnlyMountAndWriteCommandsSayItIsReadOnly() throws Exception {
        readOnly = Files.createDirectories(dir.resolve("ro"));
        sh("mount", "--bind", data.toString(), readOnly.toString());
        sh("mount", "-o", "remount,bind,ro", readOnly.toString());
        assertFalse(Files.isWritable(readOnly), "the bind mount is read-only");

        assertTrue(read("list").contains(pod.substring(0, 8)));
        assertTrue(read("status", pod).contains("state=exited"));
        assertEquals("hello\n", read("logs", pod));
        assertTrue(read("cat-manifest", pod).contains("\"acKind\": \"PodManifest\""));
        assertTrue(read("image", "list").contains("example.com/hello:1.0.0"));
        assertTrue(read("image", "cat-manifest", image).contains("\"name\" : \"example.com/hello\""));
        assertTrue(read("image", "cat-manifest", "example.com/hello:1.0.0").contains("ImageManifest"));
        assertTrue(read("journal", "show", "--aggregate", pod).contains("pod.exited/2"));
        assertTrue(read("journal", "verify").startsWith("journal OK: "));
        assertTrue(read("version").contains("Features:"));
        read("image", "export", image, dir.resolve("out.aci").toString());
        assertEquals(Files.size(aci), Files.size(dir.resolve("out.aci")), "exported as stored");
        read("image", "extract", "--rootfs-only", image, dir.resolve("extracted").toString());
        assertTrue(Files.isRegularFile(dir.resolve("extracted/bin/busybox"), LinkOption.NOFOLLOW_LINKS));
        read("image", "render", image, dir.resolve("rendered").toString());
        assertTrue(Files.isRegularFile(dir.resolve("rendered/rootfs/bin/busybox"), LinkOption.NOFOLLOW_LINKS));

        for (String[] write : new String[][] {
                {"run", "--net=none", "--insecure-options=image", aci.toString()}, {"rm", pod}, {"gc"},
                {"fetch", "--insecure-options=image", aci.toString()}, {"image", "rm", image}, {"image", "gc"}}) {
            CliRun refused = rkj(readOnly, write);
            assertEquals(254, refused.code(), String.join(" ", write) + ": " + refused.out() + refused.err());
            assertTrue(refused.oneLineError(), refused.err());
            assertTrue(refused.err().contains("data directory " + readOnly + " is on a read-only file system"), refused.err());
            assertFalse(refused.err().contains("Exception") || refused.err().contains("internal error"), refused.err());
        }
        assertEquals(1, Json.mapper().readTree(read("list", "--format=json")).size(), "no pod was made or removed");
    }

    @Test
    void readCommandsWriteNothingInAWritableDataDirectory() throws Exception {
        List<String> before = listing(data);
        for (String[] command : new String[][] {
                {"list"}, {"list", "--format=json"}, {"status", pod}, {"logs", pod}, {"cat-manifest", pod},
                {"image", "list"}, {"image", "cat-manifest", image}, {"journal", "show"}, {"journal", "verify"},
                {"version"}, {"image", "export", image, dir.resolve("out.aci").toString()},
                {"image", "extract", image, dir.resolve("extracted").toString()},
                {"image", "render", image, dir.resolve("rendered").toString()}}) {
            CliRun run = rkj(data, command);
            assertEquals(0, run.code(), String.join(" ", command) + ": " + run.err());
            assertEquals(before, listing(data), "rkj " + String.join(" ", command) + " changed the data directory");
        }
    }

    /** Every file and directory under {@code root} with its type, size and modification time. */
    private static List<String> listing(Path root) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted().toList()) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                lines.add(root.relativize(p) + " " + (a.isDirectory() ? "d" : a.isSymbolicLink() ? "l" : "f") + " "
                        + a.size() + " " + a.lastModifiedTime().toInstant());
            }
        }
        return lines;
    }

    private String read(String... args) {
        CliRun run = rkj(readOnly, args);
        assertEquals(0, run.code(), String.join(" ", args) + ": " + run.err());
        assertEquals("", run.err(), String.join(" ", args));
        return run.out();
    }

    private static CliRun rkj(Path dataDir, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--dir";
        all[1] = dataDir.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return CliRun.of(all);
    }

    private static boolean mounted(Path point) throws Exception {
        return MountInfo.read().mounts().stream().anyMatch(m -> m.mountPoint().equals(point));
    }

    private static void sh(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + output);
    }
}
