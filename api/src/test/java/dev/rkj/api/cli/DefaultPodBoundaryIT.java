package dev.rkj.api.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.host.HostEngine;
import dev.rkj.stage1.cgroup.CgroupLayout;
import dev.rkj.stage1.cgroup.CgroupLimits;
import dev.rkj.stage1.cgroup.Cgroups;
import dev.rkj.stage1.kernel.LinuxKernel;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import dev.rkj.testsupport.TestImages;
import dev.rkj.testsupport.TestRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The attacks of issue 8, run from inside a pod started the way a user starts one ({@code rkj run}
 * with nothing but {@code --insecure-options=image}): each is refused by the defaults the engine
 * plans, not only by a hand-written stage1 plan. Harmless if a defence broke: the kernel knobs are
 * written with the value they already hold.
 */
@ExtendWith(LeakCheck.class)
class DefaultPodBoundaryIT {
    /** Each attack prints {@code <name>=refused} or {@code <name>=SUCCEEDED}; facts print {@code <name>=<value>}. */
    private static final String ATTACKS = String.join("\n",
            "try() { name=$1; shift; if \"$@\" >/dev/null 2>&1; then echo \"$name=SUCCEEDED\"; else echo \"$name=refused\"; fi; }",
            "try core_pattern sh -c 'cat /proc/sys/kernel/core_pattern > /proc/sys/kernel/core_pattern'",
            "try drop_caches sh -c 'echo 0 > /proc/sys/vm/drop_caches'",
            "echo keys_bytes=$(busybox wc -c < /proc/keys)",
            "echo timer_list_bytes=$(busybox wc -c < /proc/timer_list)",
            "echo firmware_entries=$(busybox ls -A /sys/firmware | busybox wc -l)",
            "busybox mknod /tmp/loop b 7 0",
            "try block_device busybox dd if=/tmp/loop of=/dev/null bs=512 count=1",
            "try null_device busybox dd if=/dev/zero of=/dev/null bs=512 count=1",
            "try user_namespace busybox unshare -U true",
            "busybox mkdir -p /tmp/cg",
            "try cgroup_mount busybox mount -t cgroup -o memory cgroup /tmp/cg",
            "try tmpfs_mount busybox mount -t tmpfs tmpfs /tmp/cg",
            "echo pids_max=$(cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max)",
            "echo cgroup=$(busybox head -1 /proc/self/cgroup | busybox cut -d: -f3)",
            "busybox grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status | busybox tr -d ' \\t' | busybox tr : =",
            "echo oom_score_adj=$(cat /proc/self/oom_score_adj)",
            "echo mkdir=$(busybox mkdir /tmp/made 2>&1 && echo made)",
            "echo host_paths=$(busybox cat /proc/1/cmdline /proc/self/mountinfo 2>/dev/null | busybox tr '\\0' ' ' | busybox grep -c \"$DATA\")");

    private Path dir;
    private Path data;
    private Path aci;

    @BeforeEach
    void buildImage() throws Exception {
        Privileged.requireRoot();
        dir = TestRun.newDir("boundary");
        data = Files.createDirectories(dir.resolve("data"));
        Path src = dir.resolve("src");
        TestImages.busybox(src.resolve("rootfs"));
        Files.writeString(src.resolve("rootfs/attacks.sh"), ATTACKS + "\n");
        aci = build(src, "attacker", "[]");
    }

    /** The attacker image, named {@code example.com/<name>}, with the app's {@code isolators} (JSON). */
    private Path build(Path src, String name, String isolators) throws Exception {
        Files.writeString(src.resolve("manifest"), """
                {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/%s",
                 "labels": [{"name": "version", "value": "1.0.0"}, {"name": "os", "value": "linux"}, {"name": "arch", "value": "amd64"}],
                 "app": {"exec": ["/bin/sh", "/attacks.sh"], "user": "0", "group": "0",
                         "environment": [{"name": "DATA", "value": "%s"}], "isolators": %s}}
                """.formatted(name, data, isolators));
        Path built = dir.resolve(name + ".aci");
        CliRun run = rkj("image", "build", src.toString(), built.toString());
        assertEquals(0, run.code(), run.err());
        return built;
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

    private Map<String, String> run(String... flags) throws Exception {
        Path uuidFile = dir.resolve("uuid-" + flags.length);
        String[] args = new String[flags.length + 5];
        args[0] = "run";
        args[1] = "--net=none"; // the boundary of a pod with a private network of only lo
        System.arraycopy(flags, 0, args, 2, flags.length);
        args[flags.length + 2] = "--uuid-file-save";
        args[flags.length + 3] = uuidFile.toString();
        args[flags.length + 4] = aci.toString();
        CliRun run = rkj(args);
        assertEquals(0, run.code(), run.err());
        CliRun logs = rkj("logs", Files.readString(uuidFile).trim());
        String log = logs.out() + logs.err();
        Map<String, String> facts = new LinkedHashMap<>();
        log.lines().filter(l -> l.contains("=")).forEach(l -> facts.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        return facts;
    }

    @Test
    void everyAttackFromADefaultPodIsRefused() throws Exception {
        Map<String, String> facts = run("--insecure-options=image");
        assertEquals("refused", facts.get("core_pattern"), facts.toString());
        assertEquals("refused", facts.get("drop_caches"), facts.toString());
        assertEquals("0", facts.get("keys_bytes"), facts.toString());
        assertEquals("0", facts.get("timer_list_bytes"), facts.toString());
        assertEquals("0", facts.get("firmware_entries"), facts.toString());
        assertEquals("refused", facts.get("block_device"), facts.toString());
        assertEquals("SUCCEEDED", facts.get("null_device"), "the standard devices still work: " + facts);
        assertEquals("refused", facts.get("user_namespace"), facts.toString());
        assertEquals("refused", facts.get("cgroup_mount"), facts.toString());
        assertEquals("refused", facts.get("tmpfs_mount"), facts.toString());
        assertEquals(String.valueOf(CgroupLimits.DEFAULT_PIDS_MAX), facts.get("pids_max"), facts.toString());
        assertEquals("/", facts.get("cgroup"), "a cgroup namespace: " + facts);
        assertEquals("2", facts.get("Seccomp"), facts.toString());
        assertEquals("1", facts.get("NoNewPrivs"), facts.toString());
        assertEquals("0", facts.get("host_paths"), "no host path in PID 1's command line or the mount table: " + facts);
        assertEquals("made", facts.get("mkdir"), facts.toString());
    }

    @Test
    void anImagesIsolatorsNarrowTheBoundaryNeverWidenItAndWhatWasIgnoredIsTold() throws Exception {
        aci = build(dir.resolve("src"), "isolated", """
                [{"name": "os/linux/seccomp-remove-set", "value": {"set": ["mkdir", "mkdirat"], "errno": "ENOTSUP"}},
                 {"name": "os/linux/oom-score-adj", "value": 300},
                 {"name": "os/linux/no-new-privileges", "value": false},
                 {"name": "os/linux/apparmor-profile", "value": {"name": "rkt-default"}}]""");
        Path uuidFile = dir.resolve("uuid-isolated");
        CliRun run = rkj("run", "--net=none", "--insecure-options=image", "--uuid-file-save", uuidFile.toString(), aci.toString());
        assertEquals(0, run.code(), run.err());
        String uuid = Files.readString(uuidFile).trim();
        CliRun logs = rkj("logs", uuid);
        Map<String, String> facts = new LinkedHashMap<>();
        (logs.out() + logs.err()).lines().filter(l -> l.contains("="))
                .forEach(l -> facts.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));

        assertTrue(facts.get("mkdir").contains("Operation not supported"), "the remove set's errno: " + facts);
        assertEquals("300", facts.get("oom_score_adj"), facts.toString());
        assertEquals("2", facts.get("Seccomp"), facts.toString());
        assertEquals("refused", facts.get("user_namespace"), "the default filter stays under the set: " + facts);
        assertEquals("refused", facts.get("tmpfs_mount"), facts.toString());
        assertEquals("refused", facts.get("core_pattern"), "the masks always apply: " + facts);
        assertEquals("refused", facts.get("block_device"), "the device rules always apply: " + facts);
        assertEquals("1", facts.get("NoNewPrivs"), "an image cannot turn no_new_privs off: " + facts);

        String warning = "rkj: warning: app isolated: os/linux/apparmor-profile ignored: rkj applies no AppArmor profiles";
        assertEquals(1, run.err().lines().filter(warning::equals).count(), "told once: " + run.err());
        String status = rkj("status", uuid).out();
        assertTrue(status.contains("isolator=app isolated: os/linux/seccomp-remove-set applied:"), status);
        assertTrue(status.contains("isolator=app isolated: os/linux/no-new-privileges modified:"), status);
        assertTrue(status.contains("isolator=" + warning.substring("rkj: warning: ".length())), status);
        assertTrue(rkj("status", "--format=json", uuid).out().contains("\"outcome\":\"ignored\""));
    }

    @Test
    void theUsersGrantsOpenWhatTheyNameAndNothingElse() throws Exception {
        Map<String, String> facts = run("--caps-retain=CAP_SYS_ADMIN,CAP_MKNOD", "--insecure-options=image,paths,seccomp",
                "--pids-limit=100");
        assertEquals("SUCCEEDED", facts.get("tmpfs_mount"), "CAP_SYS_ADMIN granted: " + facts);
        assertEquals("0", facts.get("Seccomp"), facts.toString());
        assertEquals("100", facts.get("pids_max"), facts.toString());
        assertFalse(facts.get("timer_list_bytes").equals("0"), "paths unmasked: " + facts);
        assertEquals("refused", facts.get("block_device"), "the device cgroup is not a grant: " + facts);
        assertTrue(rkj("journal", "show", "--type", "pod.privileges-granted").out().contains("CAP_SYS_ADMIN"));
    }
}
