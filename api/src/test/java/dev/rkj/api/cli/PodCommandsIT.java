package dev.rkj.api.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.eventlog.Json;
import dev.rkj.stage1.kernel.MountInfo;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import dev.rkj.testsupport.TestImages;
import dev.rkj.testsupport.TestRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import dev.rkj.engine.host.HostEngine;
import dev.rkj.stage1.cgroup.CgroupLayout;
import dev.rkj.stage1.cgroup.Cgroups;
import dev.rkj.stage1.kernel.LinuxKernel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * rkt's pod commands end to end: real images built by the test, real pods (stage1, overlayfs,
 * cgroups), the real journal; {@code rkj} runs in-process with its engine embedded.
 */
@ExtendWith(LeakCheck.class)
class PodCommandsIT {
    private Path dir;
    private Path data;

    @BeforeEach
    void buildImages() throws Exception {
        Privileged.requireRoot();
        dir = TestRun.newDir("cli");
        data = Files.createDirectories(dir.resolve("data"));
        image("exit7", "[\"/bin/sh\", \"-c\", \"echo hello from $AC_APP_NAME; exit 7\"]");
        image("killed", "[\"/bin/sh\", \"-c\", \"kill -9 $$\"]");
        image("sleeper", "[\"/bin/sleep\", \"600\"]");
        image("ticker", "[\"/bin/sh\", \"-c\", \"echo started; sleep 2; for i in 1 2 3; do echo tick $i; sleep 0.2; done\"]");
        image("stubborn", "[\"/bin/sh\", \"-c\", \"trap '' TERM; while true; do sleep 1; done\"]");
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (data != null) {
            for (JsonNode pod : Json.mapper().readTree(rkj("list", "--format=json").out())) {
                if ("running".equals(pod.get("state").asText())) {
                    rkj("stop", "--force", pod.get("name").asText());
                }
            }
            rkj("gc", "--grace-period=0s", "--expire-prepared=0s");
            TestRun.deleteTree(dir);
        }
    }

    /** The CLI's pods live under the host's `rkj` cgroup parent: leave it as it was found if no pod is in it. */
    @AfterAll
    static void removeCgroupParentIfEmpty() throws Exception {
        if (Privileged.isRoot()) {
            new Cgroups(LinuxKernel.get(), CgroupLayout.detect(), HostEngine.CGROUP_PARENT).removeParentIfEmpty();
        }
    }

    private void image(String name, String exec) throws Exception {
        Path src = dir.resolve("src-" + name);
        TestImages.busybox(src.resolve("rootfs"));
        Files.writeString(src.resolve("manifest"), """
                {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/%s",
                 "labels": [{"name": "version", "value": "1.0.0"}, {"name": "os", "value": "linux"}, {"name": "arch", "value": "amd64"}],
                 "app": {"exec": %s, "user": "0", "group": "0"}}
                """.formatted(name, exec));
        CliRun built = rkj("image", "build", src.toString(), aci(name).toString());
        assertEquals(0, built.code(), built.err());
    }

    private Path aci(String name) {
        return dir.resolve(name + ".aci");
    }

    private CliRun rkj(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--dir";
        all[1] = data.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return CliRun.of(all);
    }

    private String onlyPod() throws Exception {
        CliRun list = rkj("list", "--format=json");
        JsonNode pods = Json.mapper().readTree(list.out());
        assertEquals(1, pods.size(), list.out());
        return pods.get(0).get("name").asText();
    }

    @Test
    void verifyReportsPodsALostJournalForgotAndGcUnknownPodsRemovesThemLeavingLinksAlone() throws Exception {
        CliRun run = rkj("run", "--net=none", "--insecure-options=image", aci("exit7").toString());
        assertEquals(7, run.code(), run.err());
        String uuid = onlyPod();
        Path podDir = data.resolve("pods").resolve(uuid);
        assertTrue(Files.isDirectory(podDir));
        // the journal's queue files are lost (the head file stays): the pod is now unknown to it
        try (var files = Files.list(data.resolve("journal"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".cq4")).toList()) {
                Files.delete(f);
            }
        }
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("keep"), "not rkj's");
        Path link = data.resolve("pods").resolve("0a1b2c3d-0000-4000-8000-0000000000ff");
        Files.createSymbolicLink(link, outside);

        CliRun verify = rkj("journal", "verify");
        assertEquals(254, verify.code(), verify.out());
        assertTrue(verify.err().contains("directory " + podDir + " is not a pod the journal knows"), verify.err());
        assertTrue(verify.err().contains("symbolic link " + link), verify.err());
        assertTrue(verify.err().lines().reduce((a, b) -> b).orElseThrow().contains("verify failed at index 0"), verify.err());

        CliRun gc = rkj("gc", "--unknown-pods");
        assertEquals(254, gc.code(), "the link is reported as not collected: " + gc.out());
        assertTrue(gc.out().contains("Removed unknown pod directory \"" + uuid + "\""), gc.out());
        assertTrue(gc.err().contains("is not a pod directory (not a directory): left alone"), gc.err());
        assertFalse(Files.exists(podDir));
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("not rkj's", Files.readString(outside.resolve("keep")), "a link is never followed");
        Files.delete(link);
    }

    @Test
    void runExitsWithTheAppsStatusAndKeepsItsOutput() throws Exception {
        CliRun run = rkj("run", "--net=none", "--insecure-options=image", aci("exit7").toString());
        assertEquals(7, run.code(), run.err());
        String uuid = onlyPod();
        assertTrue(Files.readString(data.resolve("pods").resolve(uuid).resolve("logs/exit7"))
                .matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z stdout F hello from exit7\n"), "stage1 keeps a CRI record");
        assertEquals("hello from exit7\n", rkj("logs", uuid).out(), "logs of an exited pod");
        assertEquals("", rkj("logs", "--tail", "0", uuid).out());
        assertEquals("hello from exit7\n", rkj("logs", "--tail", "1", "--since", "1h", uuid).out());
        CliRun noApp = rkj("logs", "--app", "nope", uuid);
        assertTrue(noApp.oneLineError() && noApp.err().contains("has no app nope"), noApp.err());
        CliRun status = rkj("status", uuid.substring(0, 8));
        assertTrue(status.out().contains("state=exited"), status.out());
        String created = status.out().lines().filter(l -> l.startsWith("created=")).findFirst().orElseThrow();
        java.time.Instant.parse(created.substring("created=".length())); // ISO 8601 with its zone
        List<String> table = rkj("list").out().lines().toList();
        assertTrue(table.get(0).matches("UUID\\s+APPS\\s+IMAGE NAME\\s+STATE\\s+CREATED\\s+STARTED\\s+EXIT\\s+NETWORKS"), table.get(0));
        String[] row = table.get(1).split("\\s{2,}");
        assertEquals(uuid.substring(0, 8), row[0]);
        assertEquals("exited", row[3]);
        assertTrue(row[4].equals("now") || row[4].endsWith(" ago"), row[4]);
        assertFalse(table.get(1).contains("\t"), "columns are aligned with spaces");
        String[] full = rkj("list", "--full", "--no-legend").out().strip().split("\\s{2,}");
        assertEquals(uuid, full[0]);
        java.time.Instant.parse(full[4]);
        JsonNode json = Json.mapper().readTree(rkj("list", "--format=json").out()).get(0);
        java.time.Instant.parse(json.get("created_at").asText());
        assertTrue(status.out().contains("app-exit7=7"), status.out());
    }

    @Test
    void logsFollowARunningPodUntilItEnds() throws Exception {
        Path uuidFile = dir.resolve("ticker-uuid");
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> rkj("run", "--net=none", "--insecure-options=image",
                "--uuid-file-save", uuidFile.toString(), aci("ticker").toString()));
        await().atMost(Duration.ofMinutes(1)).until(() -> Files.exists(uuidFile)
                && rkj("status", Files.readString(uuidFile)).out().contains("state=running"));
        String uuid = Files.readString(uuidFile).strip();

        CliRun followed = rkj("logs", "--follow", uuid);
        assertEquals(0, followed.code(), followed.err());
        assertEquals("started\ntick 1\ntick 2\ntick 3\n", followed.out(), "every line, including those written while following");
        assertEquals(0, run.get().code());
        assertEquals("tick 2\ntick 3\n", rkj("logs", "--tail", "2", uuid).out());
    }

    @Test
    void logsSeparatesTheStreamsAndTakesTimestampsSinceAndTail() throws Exception {
        // the order of stdout against stderr is the order stage1 read them in, not always the app's
        CliRun run = rkj("run", "--net=none", "--insecure-options=image", "--exec", "/bin/sh", aci("exit7").toString(), "--",
                "-c", "echo out-1; echo err-1 >&2; echo out-2; printf 'no newline'");
        assertEquals(0, run.code(), run.err());
        String uuid = onlyPod();

        CliRun logs = rkj("logs", uuid);
        assertEquals(0, logs.code(), logs.err());
        assertEquals("out-1\nout-2\nno newline", logs.out(), "stdout's records, the last part as it was written");
        assertEquals("err-1\n", logs.err(), "stderr's records go to stderr");

        CliRun stamped = rkj("logs", "--timestamps", uuid);
        List<String> lines = stamped.out().lines().toList();
        assertEquals(3, lines.size(), stamped.out());
        for (String line : lines) {
            java.time.Instant.parse(line.split(" ", 2)[0]); // ISO 8601 with its zone
        }
        assertEquals(List.of("out-1", "out-2", "no newline"), lines.stream().map(l -> l.split(" ", 2)[1]).toList());
        assertTrue(stamped.err().matches("\\S+Z err-1\n"), stamped.err());

        assertEquals("out-1\nout-2\nno newline", rkj("logs", "--since", "1h", uuid).out());
        assertEquals("err-1\n", rkj("logs", "--since", "1h", uuid).err());
        CliRun future = rkj("logs", "--since", "2999-01-01", uuid);
        assertEquals("", future.out() + future.err(), "nothing after a time to come");
        CliRun last = rkj("logs", "--since", "10m", "--tail", "4", uuid);
        assertEquals("out-1\nout-2\nno newline", last.out(), "--tail counts lines after --since");
        CliRun bad = rkj("logs", "--since", "lately", uuid);
        assertEquals(254, bad.code());
        assertTrue(bad.oneLineError() && bad.err().contains("--since `lately` is neither a duration"), bad.err());
    }

    @Test
    void runOfAnAppKilledBySigkillExits137() {
        CliRun run = rkj("run", "--net=none", "--insecure-options=image", aci("killed").toString());
        assertEquals(137, run.code(), run.err());
    }

    @Test
    void runRefusesAnUnverifiedImageWithoutInsecureOptions() {
        CliRun run = rkj("run", "--net=none", aci("exit7").toString());
        assertEquals(254, run.code());
        assertTrue(run.oneLineError(), run.err());
        assertTrue(run.err().contains("--insecure-options=image"), run.err());
    }

    @Test
    void badInputIsAOneLineErrorAndCreatesNoPod() throws Exception {
        for (String[] args : new String[][] {
                {"run", "--net=none", "--insecure-options=image", dir.resolve("missing.aci").toString()},
                {"run", "--net=none", "--insecure-options=image", "--memory=lots", aci("exit7").toString()},
                {"run", "--insecure-options=image", "--net=carrier-pigeon", aci("exit7").toString()},
                {"run", "--net=none", "--insecure-options=image", "--set-env", "NOEQUALS", aci("exit7").toString()},
                {"status", "00000000"}, {"stop", "00000000"}, {"rm", "00000000"}, {"enter", "00000000"},
                {"run", "--net=none", "--no-such-flag", aci("exit7").toString()}}) {
            CliRun run = rkj(args);
            assertEquals(254, run.code(), String.join(" ", args) + ": " + run.err());
            assertTrue(run.err().strip().lines().reduce((a, b) -> b).orElse("").startsWith("rkj: "), run.err());
            assertFalse(run.err().contains("\tat "), run.err());
        }
        assertEquals("[]", rkj("list", "--format=json").out().strip(), "bad input must not leave pods behind");
    }

    @Test
    void prepareThenRunPreparedRunsThePod() throws Exception {
        CliRun prepared = rkj("prepare", "--net=none", "--insecure-options=image", aci("exit7").toString());
        assertEquals(0, prepared.code(), prepared.err());
        String uuid = prepared.out().strip();
        assertTrue(rkj("status", uuid).out().contains("state=prepared"));
        assertTrue(rkj("cat-manifest", uuid).out().contains("\"acKind\": \"PodManifest\""));
        CliRun run = rkj("run-prepared", uuid.substring(0, 10));
        assertEquals(7, run.code(), run.err());
        CliRun again = rkj("run-prepared", uuid);
        assertEquals(254, again.code(), "an exited pod cannot be run again");
        assertTrue(again.err().contains("exited"), again.err());
    }

    @Test
    void stopEndsARunningPodAndEnterRunsInsideIt() throws Exception {
        Path uuidFile = dir.resolve("uuid");
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> rkj("run", "--net=none", "--insecure-options=image",
                "--uuid-file-save", uuidFile.toString(), "--hostname", "sleepy", aci("sleeper").toString()));
        await().atMost(Duration.ofMinutes(1)).until(() -> Files.exists(uuidFile)
                && rkj("status", Files.readString(uuidFile)).out().contains("state=running"));
        String uuid = Files.readString(uuidFile);
        CliRun ready = rkj("status", "--wait-ready=30s", uuid);
        assertEquals(0, ready.code(), ready.err());
        assertTrue(ready.out().contains("state=running"), ready.out());
        CliRun notYet = rkj("status", "--wait=1s", uuid);
        assertEquals(254, notYet.code(), notYet.out());
        assertTrue(notYet.oneLineError() && notYet.err().contains("is not exited after 1s: it is running"), notYet.err());

        CliRun entered = rkj("enter", uuid, "/bin/sh", "-c", "hostname > /tmp/entered; exit 3");
        assertEquals(3, entered.code(), entered.err());
        assertEquals("sleepy\n", Files.readString(data.resolve("pods").resolve(uuid).resolve("overlay/upper/tmp/entered")),
                "enter runs in the pod's UTS namespace and root, writing into its overlay");

        CliRun rm = rkj("rm", uuid);
        assertEquals(254, rm.code(), "a running pod cannot be removed");
        assertTrue(rm.err().contains("stop it first"), rm.err());

        CliRun stop = rkj("stop", uuid);
        assertEquals(0, stop.code(), stop.err());
        assertEquals(128 + 15, run.get().code(), "run exits with the status of the app killed by SIGTERM");
        assertTrue(rkj("status", uuid).out().contains("state=exited"));
        assertTrue(rkj("status", "--wait=10s", uuid).out().contains("state=exited"), "an exited pod is waited for at once");
    }

    @Test
    void stopEscalatesToSigkillAfterItsTimeoutAndTakesAUuidFile() throws Exception {
        Path uuidFile = dir.resolve("stubborn-uuid");
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> rkj("run", "--net=none", "--insecure-options=image",
                "--uuid-file-save", uuidFile.toString(), aci("stubborn").toString()));
        await().atMost(Duration.ofMinutes(1)).until(() -> Files.exists(uuidFile)
                && rkj("status", Files.readString(uuidFile)).out().contains("state=running"));

        CliRun stop = rkj("stop", "--timeout=1s", "--uuid-file", uuidFile.toString());
        assertEquals(0, stop.code(), stop.err());
        assertEquals(128 + 9, run.get().code(), "the app ignored SIGTERM and was killed after the timeout");
        String uuid = Files.readString(uuidFile).strip();
        CliRun history = rkj("journal", "show", "--aggregate", uuid);
        assertTrue(history.out().contains("force=false") && history.out().contains("force=true"),
                "a gentle stop, then a forced one: " + history.out());

        CliRun bad = rkj("stop", "--timeout=soon", uuid);
        assertEquals(254, bad.code());
        assertTrue(bad.oneLineError() && bad.err().contains("--timeout") && bad.err().contains("1h30m"), bad.err());
        CliRun missing = rkj("rm", "--uuid-file", dir.resolve("nope").toString());
        assertTrue(missing.oneLineError() && missing.err().contains("does not exist"), missing.err());
        assertEquals(0, rkj("rm", "--uuid-file", uuidFile.toString()).code());
    }

    @Test
    void rmAndGcRemovePodsMountsAndDirectories() throws Exception {
        assertEquals(7, rkj("run", "--net=none", "--insecure-options=image", aci("exit7").toString()).code());
        String first = onlyPod();
        Path podDir = data.resolve("pods").resolve(first);
        assertTrue(Files.isDirectory(podDir), "an exited pod keeps its directory until it is collected");

        CliRun rm = rkj("rm", first);
        assertEquals(0, rm.code(), rm.err());
        assertFalse(Files.exists(podDir));
        assertFalse(mounted(podDir));
        assertEquals("[]", rkj("list", "--format=json").out().strip());

        assertEquals(137, rkj("run", "--net=none", "--insecure-options=image", aci("killed").toString()).code());
        String second = onlyPod();
        CliRun marked = rkj("gc", "--mark-only", "--grace-period=0s");
        assertEquals(0, marked.code(), marked.err());
        assertTrue(rkj("status", second).out().contains("state=garbage"));
        assertTrue(Files.exists(data.resolve("pods").resolve(second)), "--mark-only sweeps nothing");
        CliRun gc = rkj("gc", "--grace-period=0s");
        assertEquals(0, gc.code(), gc.err());
        assertFalse(Files.exists(data.resolve("pods").resolve(second)));

        CliRun history = rkj("journal", "show", "--aggregate", second);
        for (String type : new String[] {"pod.created/6", "pod.launch-requested/2", "pod.image-resolved/2",
                "pod.image-verified/2", "pod.image-rendered/2", "pod.prepared/2", "pod.started/4", "pod.exited/2",
                "pod.marked-garbage/1", "pod.delete-requested/2", "pod.deleted/2"}) {
            assertTrue(history.out().contains(type), type + " missing from:\n" + history.out());
        }
    }

    private static boolean mounted(Path podDir) throws Exception {
        return MountInfo.read().mounts().stream().anyMatch(m -> m.mountPoint().startsWith(podDir));
    }
}
