package dev.rkj.api.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.engine.appc.OsArch;
import dev.rkj.engine.host.HostEngine;
import dev.rkj.engine.store.ImageStore;
import dev.rkj.engine.testing.Commands;
import dev.rkj.eventlog.Json;
import dev.rkj.stage1.cgroup.CgroupLayout;
import dev.rkj.stage1.cgroup.Cgroups;
import dev.rkj.stage1.kernel.LinuxKernel;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import dev.rkj.testsupport.TestImages;
import dev.rkj.testsupport.TestRun;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code run --name --user --group --working-dir} end to end: a real pod runs the app under the
 * given name, ids and directory; bad values create no pod. A real image: one shaped like
 * Debian's, with device nodes under {@code /dev}, runs a dynamic binary as {@code nobody}. And pods
 * of two apps with rkt's grammar: each app sees its own image at {@code /}, the apps share the pod's
 * PID, network, IPC and UTS namespaces, each app's exit status is kept, {@code rkj run} exits with
 * the failing app's, and nothing stays mounted after rm.
 */
@ExtendWith(LeakCheck.class)
class PodAppFlagsIT {
    private static final List<String> DEBIAN_DEV_NODES = List.of("console 5 1", "full 1 7", "null 1 3", "ptmx 5 2",
            "random 1 8", "tty 5 0", "urandom 1 9", "zero 1 5");
    /** Prints the app's namespaces (a pod of several apps shares them). */
    private static final String NAMESPACES = "for n in pid net ipc uts; do echo $n=$(readlink /proc/self/ns/$n); done;";

    private Path dir;
    private Path data;
    private Path aci;

    @BeforeEach
    void buildImage() throws Exception {
        Privileged.requireRoot();
        dir = TestRun.newDir("flags");
        data = Files.createDirectories(dir.resolve("data"));
        aci = image("ids", """
                {"exec": ["/bin/sh", "-c", "id -u; id -g; pwd"], "user": "0", "group": "0", "workingDirectory": "/home/app"}""");
    }

    /** A busybox image named example.com/NAME with a file /NAME-marker at its root and the app {@code appJson}. */
    private Path image(String name, String appJson) throws Exception {
        Path src = dir.resolve(name);
        TestImages.busybox(src.resolve("rootfs"));
        Files.writeString(src.resolve("rootfs").resolve(name + "-marker"), name);
        Files.writeString(src.resolve("manifest"), """
                {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/%s",
                 "labels": [{"name": "version", "value": "1.0.0"}, {"name": "os", "value": "linux"}, {"name": "arch", "value": "amd64"}],
                 "app": %s}
                """.formatted(name, appJson));
        Path built = dir.resolve(name + ".aci");
        CliRun run = rkj("image", "build", src.toString(), built.toString());
        assertEquals(0, run.code(), run.err());
        return built;
    }

    /** An image whose app exits at once; the tests give it its command with --exec. */
    private Path image(String name) throws Exception {
        return image(name, """
                {"exec": ["/bin/true"], "user": "0", "group": "0"}""");
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

    private CliRun rkj(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--dir";
        all[1] = data.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return CliRun.of(all);
    }

    private JsonNode pods() throws Exception {
        return Json.mapper().readTree(rkj("list", "--format=json").out());
    }

    @Test
    void theAppRunsUnderTheGivenNameUserGroupAndWorkingDirectory() throws Exception {
        CliRun run = rkj("run", "--net=none", "--insecure-options=image", "--name", "x", "--user", "1000", "--group", "1000",
                "--working-dir", "/tmp", aci.toString(), "--exec", "/bin/sh", "--", "-c", "id -u; id -g; pwd");
        assertEquals(0, run.code(), run.err());
        JsonNode pods = pods();
        assertEquals(1, pods.size());
        String uuid = pods.get(0).get("name").asText();
        assertEquals("x", pods.get(0).get("app_names").get(0).asText());
        assertEquals("1000\n1000\n/tmp\n", rkj("logs", uuid).out());
        assertTrue(Files.exists(data.resolve("pods").resolve(uuid).resolve("logs/x")), "the log is named after the app");
        CliRun status = rkj("status", uuid);
        assertTrue(status.out().contains("app-x=0"), status.out());
        String[] row = rkj("list", "--no-legend").out().strip().split("\\s{2,}");
        assertEquals("x", row[1], "list names the app by its given name");
    }

    @Test
    void namesFromTheImagesPasswdAndGroupWorkAndTheImagesOwnSettingsAreTheDefault() throws Exception {
        CliRun run = rkj("run", "--net=none", "--insecure-options=image", "--user=app", "--group=extra", aci.toString());
        assertEquals(0, run.code(), run.err());
        String uuid = pods().get(0).get("name").asText();
        assertEquals("1000\n2000\n/home/app\n", rkj("logs", uuid).out());
        assertEquals("ids", pods().get(0).get("app_names").get(0).asText());
    }

    @Test
    void aUserNameTheImageDoesNotHaveFailsThePodNamingIt() throws Exception {
        CliRun run = rkj("run", "--net=none", "--insecure-options=image", "--user=nosuchuser", aci.toString());
        assertEquals(254, run.code(), run.out());
        assertTrue(run.err().contains("user \"nosuchuser\" is not in the image's /etc/passwd"), run.err());
    }

    @Test
    void aBadNameOrARelativeWorkingDirectoryIsRefusedInOneLineAndCreatesNoPod() throws Exception {
        CliRun badName = rkj("run", "--net=none", "--insecure-options=image", "--name=X_1", aci.toString());
        assertEquals(254, badName.code());
        assertTrue(badName.oneLineError(), badName.err());
        assertTrue(badName.err().contains("\"X_1\" is not a valid AC Name"), badName.err());
        CliRun relative = rkj("run", "--net=none", "--insecure-options=image", "--working-dir=tmp", aci.toString());
        assertEquals(254, relative.code());
        assertTrue(relative.oneLineError(), relative.err());
        assertTrue(relative.err().contains("\"tmp\" is not an absolute path"), relative.err());
        assertEquals(0, pods().size(), "no pod was created");
    }

    /** An image's mount point no volume fills and its hooks, through the CLI: the warning is printed once and kept. */
    @Test
    void anUnfilledMountPointIsWarnedOfOnceAndShownByStatusAndTheHooksRunAroundTheApp() throws Exception {
        Path hooked = image("hooked", """
                {"exec": ["/bin/sh", "-c", "echo main >> /work/order; cat /work/order"], "user": "0", "group": "0",
                 "mountPoints": [{"name": "work", "path": "/work"}],
                 "eventHandlers": [{"name": "pre-start", "exec": ["/bin/sh", "-c", "echo pre > /work/order"]}]}""");
        CliRun run = rkj("run", "--net=none", "--insecure-options=image", hooked.toString());
        assertEquals(0, run.code(), run.err());
        String warning = "rkj: warning: app hooked: mount point work (/work) has no volume, so it gets an empty one that is"
                + " removed with the pod; to keep its data, give --volume work,kind=host,source=DIR\n";
        assertEquals(1, run.err().split(java.util.regex.Pattern.quote(warning), -1).length - 1, run.err());
        String uuid = pods().get(0).get("name").asText();
        assertEquals("pre\nmain\n", rkj("logs", uuid).out());
        assertTrue(rkj("status", uuid).out().contains("\nwarning=app hooked: mount point work (/work) has no volume"));
        assertEquals("app hooked: mount point work (/work) has no volume, so it gets an empty one that is removed with"
                + " the pod; to keep its data, give --volume work,kind=host,source=DIR",
                pods().get(0).get("warnings").get(0).asText(), "list --format=json (and the API's pod view) show it");
    }

    @Test
    void twoAppsSeeTheirOwnImagesShareThePodsNamespacesAndRunExitsWithTheFailingAppsStatus() throws Exception {
        Path alpha = image("alpha");
        Path beta = image("beta");
        // alpha finds beta's sleep among the pod's processes and stops it; beta then fails with 3.
        String alphaScript = NAMESPACES
                + "test -f /alpha-marker && ! test -e /beta-marker && echo own-root;"
                + "i=0; while [ $i -lt 3000 ]; do"
                + "  for p in /proc/[0-9]*; do"
                + "    if [ \"$(tr '\\0' ' ' < $p/cmdline 2>/dev/null)\" = 'sleep 1000 ' ]; then"
                + "      kill ${p#/proc/} && echo saw-beta && exit 0; fi;"
                + "  done; sleep 0.1; i=$((i+1));"
                + "done; echo beta-not-seen; exit 1";
        String betaScript = NAMESPACES
                + "test -f /beta-marker && ! test -e /alpha-marker && echo own-root;"
                + "sleep 1000; exit 3";
        Path uuidFile = dir.resolve("uuid");
        CliRun run = rkj("run", "--net=none", "--insecure-options=image", "--uuid-file-save", uuidFile.toString(),
                alpha.toString(), "--exec", "/bin/sh", "--", "-c", alphaScript,
                "---", beta.toString(), "--name=second", "--exec=/bin/sh", "--", "-c", betaScript);
        assertEquals(3, run.code(), "rkj run exits with the failing app's status: " + run.err());
        String uuid = Files.readString(uuidFile).strip();

        String alphaLog = rkj("logs", "--app", "alpha", uuid).out();
        String betaLog = rkj("logs", "--app", "second", uuid).out();
        assertTrue(alphaLog.contains("own-root\n"), "alpha sees its own image at /: " + alphaLog);
        assertTrue(betaLog.contains("own-root\n"), "beta sees its own image at /: " + betaLog);
        assertTrue(alphaLog.contains("saw-beta\n"), "alpha sees beta's process: " + alphaLog);
        for (String ns : new String[] {"pid", "net", "ipc", "uts"}) {
            String a = line(alphaLog, ns + "=");
            assertTrue(a.startsWith(ns + "=" + ns + ":["), alphaLog);
            assertEquals(a, line(betaLog, ns + "="), "the apps share the " + ns + " namespace");
        }

        CliRun status = rkj("status", uuid);
        assertTrue(status.out().contains("app-alpha=0\n"), status.out());
        assertTrue(status.out().contains("app-second=3\n"), status.out());
        assertTrue(status.out().contains("app-second-image=example.com/beta\n"), status.out());
        JsonNode pod = Json.mapper().readTree(rkj("list", "--format=json").out()).get(0);
        assertEquals(3, pod.get("exit_code").asInt());
        assertEquals(2, pod.get("apps").size());
        assertEquals("alpha", pod.get("apps").get(0).get("name").asText());
        assertEquals("example.com/alpha", pod.get("apps").get(0).get("image_name").asText());
        assertEquals(0, pod.get("apps").get(0).get("exit_code").asInt());
        assertEquals("second", pod.get("apps").get(1).get("name").asText());
        assertEquals("exited", pod.get("apps").get(1).get("state").asText());
        assertEquals(3, pod.get("apps").get(1).get("exit_code").asInt());
        String[] row = rkj("list", "--no-legend").out().strip().split("\\s{2,}");
        assertEquals("alpha,second", row[1], "one row per pod, its apps in the APPS column");
        assertEquals("example.com/alpha,example.com/beta", row[2]);

        Path podDir = data.resolve("pods").resolve(uuid);
        assertEquals(0, rkj("rm", uuid).code());
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        assertFalse(mounts.contains(podDir.toString()), "nothing of the pod is mounted after rm: " + mounts);
        assertFalse(Files.exists(podDir), "the pod's directory is gone");
    }

    @Test
    void aSecondImageWithoutAppFlagsIsASecondAppAndBadAppFlagsCreateNoPod() throws Exception {
        Path alpha = image("alpha");
        Path beta = image("beta");
        CliRun both = rkj("run", "--net=none", "--insecure-options=image", alpha.toString(), beta.toString());
        assertEquals(0, both.code(), both.err());
        JsonNode pod = Json.mapper().readTree(rkj("list", "--format=json").out()).get(0);
        assertEquals(2, pod.get("apps").size(), pod.toString());

        CliRun badFlag = rkj("run", "--net=none", "--insecure-options=image", alpha.toString(), "--hostname=x", beta.toString());
        assertEquals(254, badFlag.code());
        assertTrue(badFlag.oneLineError(), badFlag.err());
        assertTrue(badFlag.err().contains("'--hostname' after image " + alpha + " is not a per-app flag"), badFlag.err());
        CliRun sameName = rkj("run", "--net=none", "--insecure-options=image", alpha.toString(), "--name=a", "---", beta.toString(),
                "--name=a");
        assertEquals(254, sameName.code());
        assertTrue(sameName.err().contains("two apps are named a"), sameName.err());
        CliRun unknownVolume = rkj("run", "--net=none", "--insecure-options=image", alpha.toString(), "--mount",
                "volume=data,target=/data");
        assertEquals(254, unknownVolume.code());
        assertTrue(unknownVolume.err().contains("mounts volume data at /data, which no --volume declares"),
                unknownVolume.err());
        assertEquals(1, Json.mapper().readTree(rkj("list", "--format=json").out()).size(), "no pod was created");
    }

    private static String line(String text, String prefix) {
        for (String l : text.split("\n")) {
            if (l.startsWith(prefix)) {
                return l;
            }
        }
        throw new AssertionError("no line " + prefix + " in " + text);
    }

    @Test
    void aDebootstrapShapedImageIsFetchedWithoutItsDevNodesAndRunsADynamicBinaryAsNobody() throws Exception {
        Path debian = debootstrapShapedImage();
        CliRun fetch = rkj("fetch", "--insecure-options=image", debian.toString());
        assertEquals(0, fetch.code(), fetch.err());
        String id = fetch.out().strip();
        assertTrue(fetch.err().startsWith("rkj: note: example.com/~user/debian_minbase:12 (sha512-"), fetch.err());
        assertTrue(fetch.err().contains("left 8 device nodes and FIFOs under /dev (/dev/console, /dev/full, /dev/null,"
                + " /dev/ptmx, /dev/random, /dev/tty, /dev/urandom, /dev/zero) out of its tree"), fetch.err());

        CliRun run = rkj("run", "--net=none", "--insecure-options=image", "example.com/~user/debian_minbase:12");

        assertEquals(0, run.code(), run.err());
        JsonNode pods = Json.mapper().readTree(rkj("list", "--format=json").out());
        String uuid = pods.get(0).get("name").asText();
        String log = rkj("logs", uuid).out();
        assertTrue(log.startsWith("uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\nbash "), log);
        Path tree = ImageStore.rootfsOf(data, id);
        assertTrue(Files.isSymbolicLink(tree.resolve("dev/fd")), "the rest of /dev is kept in the tree");
        try (Stream<Path> inDev = Files.list(tree.resolve("dev"))) {
            assertFalse(inDev.anyMatch(p -> isNode(p)), "no device node in the image's tree");
        }
    }

    private static boolean isNode(Path p) {
        return !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                && !Files.isSymbolicLink(p);
    }

    /**
     * Copies {@code binary} and every library {@code ldd} names for it into {@code rootfs}, at the
     * path the loader looks for it; {@code /lib}, {@code /lib64} and {@code /bin} land below
     * {@code /usr}, as on a merged-/usr Debian (the rootfs links them there).
     */
    private static void copyWithLibraries(Path binary, Path rootfs) throws Exception {
        Set<String> files = new LinkedHashSet<>();
        files.add(binary.toString());
        Matcher m = Pattern.compile("(?m)^\\s*(?:\\S+ => )?(/\\S+) \\(0x").matcher(Commands.run("ldd", binary.toString()));
        while (m.find()) {
            files.add(m.group(1));
        }
        assertTrue(files.size() > 2, binary + " should be dynamically linked: " + files);
        for (String file : files) {
            String inImage = file.matches("/(lib|lib64|bin|sbin)/.*") ? "usr" + file : file.substring(1);
            Path target = rootfs.resolve(inImage);
            Files.createDirectories(target.getParent());
            Files.copy(Path.of(file), target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * A root file system shaped like {@code debootstrap --variant=minbase} output (no network here, so
     * no debootstrap): merged {@code /usr}, Debian's {@code /dev} (character devices made with mknod,
     * the {@code fd}/{@code std*} symlinks, {@code pts} and {@code shm}), an {@code /etc/passwd} with
     * {@code nobody}, and dynamic binaries of the host with the shared libraries {@code ldd} names;
     * built into an ACI with {@code rkj image build}.
     */
    private Path debootstrapShapedImage() throws Exception {
        Path src = dir.resolve("debian");
        Path rootfs = Files.createDirectories(src.resolve("rootfs"));
        for (String top : List.of("bin", "sbin", "lib", "lib64")) {
            Files.createDirectories(rootfs.resolve("usr").resolve(top));
            Files.createSymbolicLink(rootfs.resolve(top), Path.of("usr", top));
        }
        for (String binary : List.of("/bin/bash", "/usr/bin/id")) {
            copyWithLibraries(Path.of(binary), rootfs);
        }
        Path dev = Files.createDirectories(rootfs.resolve("dev"));
        for (String node : DEBIAN_DEV_NODES) {
            String[] f = node.split(" ");
            Commands.run("mknod", "-m", "666", dev.resolve(f[0]).toString(), "c", f[1], f[2]);
        }
        Files.createSymbolicLink(dev.resolve("fd"), Path.of("/proc/self/fd"));
        Files.createSymbolicLink(dev.resolve("stdin"), Path.of("/proc/self/fd/0"));
        Files.createSymbolicLink(dev.resolve("stdout"), Path.of("/proc/self/fd/1"));
        Files.createSymbolicLink(dev.resolve("stderr"), Path.of("/proc/self/fd/2"));
        Files.createSymbolicLink(dev.resolve("core"), Path.of("/proc/kcore"));
        Files.createDirectories(dev.resolve("pts"));
        Files.createDirectories(dev.resolve("shm"));
        Path etc = Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n"
                + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        Files.writeString(etc.resolve("group"), "root:x:0:\nnogroup:x:65534:\n");
        Files.writeString(etc.resolve("nsswitch.conf"), "passwd: files\ngroup: files\n");
        Files.createDirectories(rootfs.resolve("tmp"));
        OsArch host = OsArch.host();
        Files.writeString(src.resolve("manifest"), """
                {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/~user/debian_minbase",
                 "labels": [{"name": "version", "value": "12"}, {"name": "os", "value": "%s"}, {"name": "arch", "value": "%s"}],
                 "app": {"exec": ["/bin/bash", "-c", "id; echo \\"bash $BASH_VERSION\\""], "user": "nobody", "group": "nogroup"}}
                """.formatted(host.os(), host.arch()));
        Path debian = dir.resolve("debian.aci");
        CliRun built = rkj("image", "build", src.toString(), debian.toString());
        assertEquals(0, built.code(), built.err());
        return debian;
    }
}
