package dev.rkj.api.cli;

import static org.awaitility.Awaitility.await;
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
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 10, item 7, beyond what {@code PodCommandsIT.badInputIsAOneLineErrorAndCreatesNoPod}
 * covers: what is known to fail is refused before a pod exists, in one line naming the real
 * cause and what to do, exit 254, with no Java exception name and no "internal error"; several
 * pods of which some fail give one line per failing pod while the others are done; a full disk
 * during fetch says so and leaves the store as it was.
 */
@ExtendWith(LeakCheck.class)
class FailEarlyIT {
    private Path dir;
    private Path data;
    private final List<Path> mounts = new ArrayList<>();

    @BeforeEach
    void buildImages() throws Exception {
        Privileged.requireRoot();
        dir = TestRun.newDir("failearly");
        data = Files.createDirectories(dir.resolve("data"));
        image("hello", "[\"/bin/sh\", \"-c\", \"echo hello\"]");
        image("sleeper", "[\"/bin/sleep\", \"600\"]");
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Path mount : mounts) {
            if (MountInfo.read().mounts().stream().anyMatch(m -> m.mountPoint().equals(mount))) {
                sh("umount", mount.toString());
            }
        }
        if (data != null) {
            for (JsonNode pod : pods()) {
                if ("running".equals(pod.get("state").asText())) {
                    rkj(data, "stop", "--force", pod.get("name").asText());
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
    void whatCannotRunIsRefusedInOneLineBeforeAPodExists() throws Exception {
        assertEquals(0, rkj(data, "fetch", "--insecure-options=image", aci("hello").toString()).code());
        Path empty = Files.createFile(dir.resolve("empty.aci"));
        Path imageDir = Files.createDirectories(dir.resolve("adir"));
        Path readOnly = Files.createDirectories(dir.resolve("ro"));
        sh("mount", "--bind", readOnly.toString(), readOnly.toString());
        mounts.add(readOnly);
        sh("mount", "-o", "remount,bind,ro", readOnly.toString());
        String hello = aci("hello").toString();

        refused("no image in the store is example.com/nope", "run", "--net=none", "--insecure-options=image", "--pull-policy=never", "example.com/nope");
        refused("\"sha512-\" is not an image ID prefix", "run", "--net=none", "--insecure-options=image", "sha512-");
        refused("no image in the store has an ID starting with \"sha512-abc\"", "run", "--net=none", "--insecure-options=image", "sha512-abc");
        refused("image file " + empty + " is empty", "run", "--net=none", "--insecure-options=image", empty.toString());
        refused("image file " + empty + " is empty", "prepare", "--net=none", "--insecure-options=image", empty.toString());
        refused("image file " + imageDir + " is a directory", "run", "--net=none", "--insecure-options=image", imageDir.toString());
        refused("cannot verify the signature of image " + hello + ": no key is trusted to sign images yet: trust its"
                + " signer's key with rkj trust --prefix NAME KEYFILE, or pass --insecure-options=image", "run", "--net=none", hello);
        refused("cannot verify the signature of image example.com/hello", "prepare", "--net=none", "example.com/hello");
        refused("--uuid-file-save " + readOnly.resolve("uuid") + " cannot be written", "run", "--net=none", "--insecure-options=image",
                "--uuid-file-save", readOnly.resolve("uuid").toString(), hello);
        refused("below the minimum of 6Mi", "run", "--net=none", "--insecure-options=image", "--memory=1", hello);
        refused("below the minimum of 6Mi", "run", "--net=none", "--insecure-options=image", "--memory=1k", hello);
        refused("give at least --cpu=10m", "run", "--net=none", "--insecure-options=image", "--cpu=1m", hello);

        assertEquals(0, pods().size(), "nothing refused above made a pod");
        assertFalse(Files.exists(data.resolve("pods")) && hasEntries(data.resolve("pods")), "no pod directory either");
    }

    @Test
    void severalPodsOfWhichSomeFailGiveOneLineEachAndTheOthersAreDone() throws Exception {
        assertEquals(0, rkj(data, "run", "--net=none", "--insecure-options=image", aci("hello").toString()).code());
        String exited = pods().get(0).get("name").asText();
        Path uuidFile = dir.resolve("sleeper-uuid");
        CompletableFuture<CliRun> sleeper = CompletableFuture.supplyAsync(() -> rkj(data, "run",
                "--insecure-options=image", "--uuid-file-save", uuidFile.toString(), aci("sleeper").toString()));
        await().atMost(Duration.ofMinutes(1)).until(() -> Files.exists(uuidFile)
                && rkj(data, "status", Files.readString(uuidFile)).out().contains("state=running"));
        String running = Files.readString(uuidFile).strip();

        CliRun status = rkj(data, "status", exited, "00000000", running, "");
        assertEquals(254, status.code());
        assertTrue(status.out().contains("uuid=" + exited + "\nstate=exited"), status.out());
        assertTrue(status.out().contains("uuid=" + running + "\nstate=running"), status.out());
        assertEquals(List.of("rkj: status 00000000: no pod id starts with \"00000000\" (see rkj list for the pods there are)",
                "rkj: status \"\": empty pod id: give a pod id or its first characters (see rkj list)"),
                status.err().lines().toList());

        CliRun stop = rkj(data, "stop", "11111111", running);
        assertEquals(254, stop.code());
        assertEquals(List.of("rkj: stop 11111111: no pod id starts with \"11111111\" (see rkj list for the pods there are)"),
                stop.err().lines().toList());
        assertEquals(running + "\n", stop.out(), "the running pod was stopped");
        assertEquals(128 + 15, sleeper.get().code());

        CliRun rm = rkj(data, "rm", exited, "22222222", running);
        assertEquals(254, rm.code());
        assertEquals(List.of("rkj: rm 22222222: no pod id starts with \"22222222\" (see rkj list for the pods there are)"),
                rm.err().lines().toList());
        assertEquals(0, pods().size(), "both good pods were removed: " + rm.out());
    }

    @Test
    void noSpaceDuringFetchSaysSoAndLeavesTheStoreAsItWas() throws Exception {
        Path big = dir.resolve("src-big");
        TestImages.busybox(big.resolve("rootfs"));
        try (OutputStream out = Files.newOutputStream(big.resolve("rootfs/noise"))) {
            byte[] chunk = new byte[1 << 20];
            Random random = new Random(10);
            for (int i = 0; i < 12; i++) {
                random.nextBytes(chunk); // incompressible: the blob stays about 12 MiB
                out.write(chunk);
            }
        }
        Files.writeString(big.resolve("manifest"), manifest("big", "[\"/bin/true\"]"));
        assertEquals(0, CliRun.of("image", "build", big.toString(), aci("big").toString()).code());
        Path small = Files.createDirectories(dir.resolve("small"));
        sh("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", small.toString());
        mounts.add(small);
        Path smallData = Files.createDirectories(small.resolve("data"));
        assertEquals(0, rkj(smallData, "fetch", "--insecure-options=image", aci("hello").toString()).code());

        CliRun full = rkj(smallData, "fetch", "--insecure-options=image", aci("big").toString());
        assertEquals(254, full.code());
        assertTrue(full.oneLineError(), full.err());
        assertTrue(full.err().contains("cannot fetch " + aci("big") + ": no space left on the file system of the image store "
                + smallData.resolve("cas/blobs") + ": free space there"), full.err());
        assertFalse(full.err().contains("gzip") || full.err().contains("corrupt"), full.err());
        noJavaNames(full);

        List<JsonNode> images = new ArrayList<>();
        Json.mapper().readTree(rkj(smallData, "image", "list", "--format=json").out()).forEach(images::add);
        assertEquals(List.of("example.com/hello"), images.stream().map(i -> i.get("name").asText()).toList());
        try (Stream<Path> blobs = Files.list(smallData.resolve("cas/blobs"))) {
            assertEquals(1, blobs.count(), "no temporary left beside the one blob");
        }
        CliRun verify = rkj(smallData, "journal", "verify");
        assertEquals(0, verify.code(), verify.err());
    }

    private void refused(String expected, String... args) throws Exception {
        CliRun run = rkj(data, args);
        String what = String.join(" ", args);
        assertEquals(254, run.code(), what + ": " + run.out() + run.err());
        assertTrue(run.oneLineError(), what + ": " + run.err());
        assertTrue(run.err().contains(expected), what + ": " + run.err());
        noJavaNames(run);
        assertEquals(0, pods().size(), what + " left a pod behind");
    }

    private static void noJavaNames(CliRun run) {
        String all = run.out() + run.err();
        assertFalse(all.matches("(?s).*\\b(java|javax|sun|io\\.vertx|net\\.openhft)\\.[a-z]+\\..*")
                || all.contains("Exception") || all.contains("internal error"), all);
    }

    private List<JsonNode> pods() throws Exception {
        List<JsonNode> pods = new ArrayList<>();
        Json.mapper().readTree(rkj(data, "list", "--format=json").out()).forEach(pods::add);
        return pods;
    }

    private static boolean hasEntries(Path dir) throws Exception {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isPresent();
        }
    }

    private void image(String name, String exec) throws Exception {
        Path src = dir.resolve("src-" + name);
        TestImages.busybox(src.resolve("rootfs"));
        Files.writeString(src.resolve("manifest"), manifest(name, exec));
        CliRun built = CliRun.of("image", "build", src.toString(), aci(name).toString());
        assertEquals(0, built.code(), built.err());
    }

    private static String manifest(String name, String exec) {
        return """
                {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/%s",
                 "labels": [{"name": "version", "value": "1.0.0"}, {"name": "os", "value": "linux"}, {"name": "arch", "value": "amd64"}],
                 "app": {"exec": %s, "user": "0", "group": "0"}}
                """.formatted(name, exec);
    }

    private Path aci(String name) {
        return dir.resolve(name + ".aci");
    }

    private static CliRun rkj(Path dataDir, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--dir";
        all[1] = dataDir.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return CliRun.of(all);
    }

    private static void sh(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + output);
    }
}
