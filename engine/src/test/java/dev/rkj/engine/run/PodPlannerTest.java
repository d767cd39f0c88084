package dev.rkj.engine.run;

import dev.rkj.engine.appc.AcName;
import dev.rkj.engine.appc.Volume;

import java.util.Optional;

import dev.rkj.engine.appc.App;
import dev.rkj.engine.appc.EventHandler;
import dev.rkj.engine.appc.ImageManifest;
import dev.rkj.engine.appc.Isolator;
import dev.rkj.engine.appc.LinuxCapability;
import dev.rkj.engine.appc.ManifestCodec;
import dev.rkj.engine.appc.Mount;
import dev.rkj.engine.appc.PodApp;
import dev.rkj.engine.appc.PodManifest;
import dev.rkj.engine.appc.Quantity;
import dev.rkj.engine.mds.MdsEndpoint;
import dev.rkj.engine.appc.Volume;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodSpec.InsecureOption;
import dev.rkj.engine.pod.PodSpec.NetMode;
import dev.rkj.engine.stage.StageException;
import dev.rkj.stage1.Capability;
import dev.rkj.stage1.PodDir;
import dev.rkj.engine.pod.IsolatorOutcome;
import dev.rkj.stage1.Stage1Plan;
import dev.rkj.stage1.cgroup.CgroupLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** From pod spec and image manifest to the pod manifest, and from that to stage1's plan and limits. */
class PodPlannerTest {
    private static final String POD = "6f1c2a3b-0c4d-4e5f-8a9b-0c1d2e3f4a5b";
    private static final String IMAGE_ID = "sha512-" + "ab".repeat(64);
    private static final Path POD_DIR = Path.of("/var/lib/rkj/pods", POD);
    private static final Path TREE = Path.of("/var/lib/rkj/cas/trees/sha512-0/rootfs");

    private final PodPlanner planner = new PodPlanner();

    private static ImageManifest image(App app) {
        ImageManifest.Builder b = ImageManifest.builder("example.com/redis-server").label("version", "7");
        if (app != null) {
            b.app(app);
        }
        return b.build();
    }

    private static App app() {
        return App.builder("1000", "1000").exec("/usr/bin/redis", "--port", "6379").env("A", "1").env("B", "2")
                .workingDirectory("/data").supplementaryGid(2000)
                .isolator(Isolator.Memory.limit(Quantity.parse("1G")))
                .isolator(new Isolator.CapabilitiesRemove(List.of(LinuxCapability.CAP_NET_RAW))).build();
    }

    private static PodSpec spec(String exec, List<String> args, Map<String, String> env, Long memory, Long cpu,
                                Set<InsecureOption> insecure) {
        return new PodSpec("example.com/redis-server", exec, args, env, null, NetMode.DEFAULT, memory, cpu, false, insecure);
    }

    private PodPlanner.Planned launch(PodSpec spec, App app) throws StageException {
        PodManifest manifest = planner.manifest(POD, spec, IMAGE_ID, image(app));
        return planner.plan(POD, new PodDir(POD_DIR), TREE, spec, manifest);
    }

    @Test
    void eachAppOfSeveralGetsItsOwnRootAndTheUsersVolumesMountsReadOnlyRootfsAndSeccompReachTheManifest()
            throws Exception {
        String otherId = "sha512-" + "cd".repeat(64);
        ImageManifest other = ImageManifest.builder("example.com/cache").app(App.builder("0", "0").exec("/bin/cache")
                .isolator(new Isolator.SeccompRetain(List.of("read", "write"), Optional.empty())).build()).build();
        PodSpec spec = new PodSpec(List.of(
                PodSpec.AppSpec.of("example.com/redis-server"),
                new PodSpec.AppSpec("example.com/cache", null, null, List.of(), Map.of(), null, null, null, null, null,
                        Set.of(), Set.of(), PodSpec.Seccomp.parse("mode=remove,errno=EPERM,chmod"), true,
                        List.of(new PodSpec.Mount("data", "/var/cache")))),
                null, NetMode.NONE, false, Set.of(), null, List.of(PodSpec.Volume.empty("data", "0700", 5L, null)),
                false, false);
        PodManifest manifest = planner.manifest(POD, spec, List.of(IMAGE_ID, otherId), List.of(image(app()), other));
        assertEquals(List.of("redis-server", "cache"), manifest.apps().stream().map(a -> a.name().value()).toList());
        PodApp cache = manifest.apps().get(1);
        assertTrue(cache.readOnlyRootFs());
        assertEquals("/var/cache", cache.mounts().get(0).path());
        App cacheApp = cache.app().orElseThrow();
        assertEquals(Optional.empty(), cacheApp.isolator(Isolator.SeccompRetain.class), "the user's set replaces the image's");
        assertEquals(List.of("chmod"), cacheApp.isolator(Isolator.SeccompRemove.class).orElseThrow().set());
        Volume data = manifest.volumes().get(0);
        assertEquals(Volume.Kind.EMPTY, data.kind());
        assertEquals(0700, data.mode());
        assertEquals(5, data.uid());

        Path otherTree = Path.of("/var/lib/rkj/cas/trees/sha512-1/rootfs");
        Stage1Plan plan = planner.plan(POD, new PodDir(POD_DIR), Map.of("redis-server", TREE, "cache", otherTree), spec,
                manifest).plan();
        assertEquals("/opt/stage2/redis-server/rootfs", plan.apps().get(0).root());
        assertEquals("/opt/stage2/cache/rootfs", plan.apps().get(1).root());
        assertEquals("/", launch(PodSpec.of("example.com/redis-server"), app()).plan().apps().get(0).root(),
                "one app has the pod's root as its own");

        PodSpec twins = new PodSpec(List.of(PodSpec.AppSpec.of("a"), PodSpec.AppSpec.of("b")), null, NetMode.NONE, false,
                Set.of(), null, List.of(), false, false);
        StageException clash = assertThrows(StageException.class,
                () -> planner.manifest(POD, twins, List.of(IMAGE_ID, IMAGE_ID), List.of(image(app()), image(app()))));
        assertTrue(clash.getMessage().contains("two apps are named redis-server"), clash.getMessage());
    }

    @Test
    void theImagesAppRunsAsItsNamedAppWithItsSettings() throws Exception {
        PodPlanner.Planned launch = launch(PodSpec.of("example.com/redis-server"), app());
        Stage1Plan plan = launch.plan();
        assertEquals(POD_DIR.resolve("rootfs"), plan.rootfs());
        assertEquals("rkj-" + POD, plan.hostname());
        assertEquals(Stage1Plan.NetMode.PRIVATE, plan.net());
        Stage1Plan.App app = plan.apps().get(0);
        assertEquals("redis-server", app.name());
        assertEquals(List.of("/usr/bin/redis", "--port", "6379"), app.argv());
        assertEquals(List.of("A=1", "B=2"), app.env());
        assertEquals("1000", app.user());
        assertEquals("/data", app.workingDirectory());
        assertEquals(List.of("2000"), app.supplementaryGroups());
        Set<Capability> expected = EnumSet.copyOf(Capability.DEFAULT_RETAIN_SET);
        expected.remove(Capability.CAP_NET_RAW);
        assertEquals(expected, app.capabilities());
        assertEquals(new CgroupLimits(1_000_000_000L, null, null, CgroupLimits.DEFAULT_PIDS_MAX), launch.podLimits());
    }

    @Test
    void execReplacesTheCommandLineAndArgsAreAddedToTheImagesExecAsRktDoes() throws Exception {
        assertEquals(List.of("/bin/sh", "-c", "true"),
                launch(spec("/bin/sh", List.of("-c", "true"), Map.of(), null, null, Set.of()), app()).plan().apps().get(0).argv());
        assertEquals(List.of("/usr/bin/redis", "--port", "6379", "--port", "7000"),
                launch(spec(null, List.of("--port", "7000"), Map.of(), null, null, Set.of()), app()).plan().apps().get(0).argv());
    }

    @Test
    void aRegisteredPodsAppsGetTheirMetadataUrlAndAPrivateNetworkGetsTheRelay() throws Exception {
        MdsEndpoint endpoint = new MdsEndpoint(java.nio.file.Path.of("/run/rkj/mds.sock"), 18112);
        MdsPolicy.Registered mds = new MdsPolicy.Registered(endpoint, "t".repeat(43));
        App claims = App.builder("0", "0").exec("/bin/app").env("AC_METADATA_URL", "http://evil.example/").build();
        PodSpec privateNet = PodSpec.of("example.com/redis-server");
        PodManifest manifest = planner.manifest(POD, privateNet, IMAGE_ID, image(claims));
        Stage1Plan plan = planner.plan(POD, new PodDir(POD_DIR), TREE, privateNet, manifest, mds).plan();
        assertEquals(List.of("AC_METADATA_URL=http://127.0.0.1:18112/" + "t".repeat(43)), plan.apps().get(0).env(),
                "the service's URL replaces the image's");
        assertEquals(new Stage1Plan.MdsRelay(18112, endpoint.socket()), plan.mdsRelay());

        PodSpec hostNet = new PodSpec("example.com/redis-server", null, List.of(), Map.of(), null, NetMode.HOST, null, null,
                false, Set.of());
        Stage1Plan host = planner.plan(POD, new PodDir(POD_DIR), TREE, hostNet, manifest, mds).plan();
        assertEquals(null, host.mdsRelay(), "a pod of the host's network reaches the service's own loopback listener");
        assertEquals(plan.apps().get(0).env(), host.apps().get(0).env());

        assertEquals(null, launch(privateNet, claims).plan().mdsRelay(), "an unregistered pod has no relay");
        assertEquals(List.of("AC_METADATA_URL=http://evil.example/"), launch(privateNet, claims).plan().apps().get(0).env());
    }

    @Test
    void setEnvOverridesTheImagesEnvironmentAndAddsToIt() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("B", "two");
        env.put("C", "3");
        assertEquals(List.of("A=1", "B=two", "C=3"),
                launch(spec(null, List.of(), env, null, null, Set.of()), app()).plan().apps().get(0).env());
    }

    @Test
    void memoryAndCpuFlagsOverrideTheIsolatorsAndAreRecordedInThePodManifest() throws Exception {
        PodSpec spec = spec(null, List.of(), Map.of(), 64L << 20, 500L, Set.of());
        PodManifest manifest = planner.manifest(POD, spec, IMAGE_ID, image(app()));
        App app = manifest.apps().get(0).app().orElseThrow();
        assertEquals(64L << 20, app.isolator(Isolator.Memory.class).orElseThrow().limitBytes().getAsLong());
        assertEquals(500, app.isolator(Isolator.Cpu.class).orElseThrow().limitMillis().getAsLong());
        assertEquals(new CgroupLimits(64L << 20, 500L, 500L, CgroupLimits.DEFAULT_PIDS_MAX), planner.plan(POD, new PodDir(POD_DIR), TREE, spec, manifest).podLimits());
    }

    @Test
    void thePodManifestIsReifiedAndReadsBackTheSame() throws Exception {
        PodManifest manifest = planner.manifest(POD, PodSpec.of("x"), IMAGE_ID, image(app()));
        PodManifest read = ManifestCodec.parsePodManifest(ManifestCodec.write(manifest));
        assertEquals(manifest, read);
        PodApp podApp = read.apps().get(0);
        assertEquals(IMAGE_ID, podApp.image().id().orElseThrow().toString());
        assertEquals("example.com/redis-server", podApp.image().name().orElseThrow().value());
    }

    @Test
    void hostnameNetAndInsecureCapabilitiesComeFromTheSpec() throws Exception {
        PodSpec spec = new PodSpec("x", null, List.of(), Map.of(), "web-1", NetMode.HOST, null, null, false,
                Set.of(InsecureOption.CAPABILITIES));
        Stage1Plan plan = launch(spec, app()).plan();
        assertEquals("web-1", plan.hostname());
        assertEquals(Stage1Plan.NetMode.HOST, plan.net());
        assertEquals(EnumSet.allOf(Capability.class), plan.apps().get(0).capabilities());
    }

    @Test
    void aRetainSetIsTheWholeBoundingSet() throws Exception {
        App app = App.builder("0", "0").exec("/bin/true")
                .isolator(new Isolator.CapabilitiesRetain(List.of(LinuxCapability.CAP_NET_BIND_SERVICE))).build();
        assertEquals(Set.of(Capability.CAP_NET_BIND_SERVICE), launch(PodSpec.of("x"), app).plan().apps().get(0).capabilities());
    }

    private static App asking(LinuxCapability... retain) {
        return App.builder("0", "0").exec("/bin/true").isolator(new Isolator.CapabilitiesRetain(List.of(retain))).build();
    }

    private Set<Capability> caps(PodSpec spec, App app) throws StageException {
        return launch(spec, app).plan().apps().get(0).capabilities();
    }

    private static PodSpec insecure(InsecureOption... options) {
        return new PodSpec("x", null, List.of(), Map.of(), null, NetMode.DEFAULT, null, null, false, Set.of(options));
    }

    @Test
    void anImageAskingForCapabilitiesBeyondTheDefaultIsRefusedAtPrepareNamingTheFlagsThatGrantThem() {
        App admin = asking(LinuxCapability.CAP_CHOWN, LinuxCapability.CAP_SYS_ADMIN, LinuxCapability.CAP_SYS_MODULE);
        StageException e = assertThrows(StageException.class,
                () -> planner.manifest(POD, PodSpec.of("x"), IMAGE_ID, image(admin)));
        assertEquals("image example.com/redis-server asks for capabilities beyond the default set"
                + " (CAP_SYS_MODULE, CAP_SYS_ADMIN), which only you can grant: run it with"
                + " --caps-retain=CAP_CHOWN,CAP_SYS_ADMIN,CAP_SYS_MODULE (the app keeps exactly these)"
                + " or --insecure-options=capabilities (every capability)", e.getMessage());
        assertEquals(false, e.retryable());
    }

    @Test
    void insecureImageOptionsDoNotGrantCapabilities() {
        App admin = asking(LinuxCapability.CAP_SYS_ADMIN);
        assertThrows(StageException.class, () -> launch(insecure(InsecureOption.IMAGE, InsecureOption.PATHS,
                InsecureOption.SECCOMP, InsecureOption.ONDISK), admin));
    }

    @Test
    void capsRetainGrantsExactlyTheUsersSetInPlaceOfTheImages() throws Exception {
        App admin = asking(LinuxCapability.CAP_SYS_ADMIN, LinuxCapability.CAP_SYS_MODULE);
        PodSpec spec = PodSpec.of("x").withCapabilities(Set.of("CAP_SYS_ADMIN", "CAP_CHOWN"), Set.of());
        assertEquals(EnumSet.of(Capability.CAP_SYS_ADMIN, Capability.CAP_CHOWN), caps(spec, admin));
        App reified = planner.manifest(POD, spec, IMAGE_ID, image(admin)).apps().get(0).app().orElseThrow();
        assertEquals(List.of(LinuxCapability.CAP_CHOWN, LinuxCapability.CAP_SYS_ADMIN),
                reified.isolator(Isolator.CapabilitiesRetain.class).orElseThrow().set(),
                "the pod manifest says what runs");
    }

    @Test
    void insecureCapabilitiesGrantsEveryCapability() throws Exception {
        assertEquals(EnumSet.allOf(Capability.class), caps(insecure(InsecureOption.CAPABILITIES),
                asking(LinuxCapability.CAP_SYS_ADMIN)));
    }

    @Test
    void anImageRetainingASubsetOfTheDefaultIsHonoured() throws Exception {
        assertEquals(EnumSet.of(Capability.CAP_KILL, Capability.CAP_CHOWN),
                caps(PodSpec.of("x"), asking(LinuxCapability.CAP_KILL, LinuxCapability.CAP_CHOWN)));
    }

    @Test
    void capsRemoveTakesFromTheDefaultInPlaceOfTheImagesIsolators() throws Exception {
        PodSpec spec = PodSpec.of("x").withCapabilities(Set.of(), Set.of("CAP_MKNOD", "CAP_NET_RAW"));
        Set<Capability> expected = EnumSet.copyOf(Capability.DEFAULT_RETAIN_SET);
        expected.remove(Capability.CAP_MKNOD);
        expected.remove(Capability.CAP_NET_RAW);
        assertEquals(expected, caps(spec, app()), "the image's own remove set (CAP_NET_RAW) is replaced");
        assertEquals(expected, caps(spec, asking(LinuxCapability.CAP_SYS_ADMIN)), "the image's request is replaced");
    }

    @Test
    void aPodManifestEditedToAskForMoreIsRefusedAtLaunchToo() throws Exception {
        PodManifest granted = planner.manifest(POD, PodSpec.of("x").withCapabilities(Set.of("CAP_SYS_ADMIN"), Set.of()),
                IMAGE_ID, image(asking(LinuxCapability.CAP_SYS_ADMIN)));
        StageException e = assertThrows(StageException.class, () -> planner.plan(POD, new PodDir(POD_DIR), TREE, PodSpec.of("x"), granted));
        assertTrue(e.getMessage().startsWith("app redis-server of pod " + POD + " asks for capabilities beyond the"
                + " default set (CAP_SYS_ADMIN)"), e.getMessage());
    }

    @Test
    void noNewPrivilegesIsOnByDefaultAndAnImageLowersItOnlyWithTheUsersGrant() throws Exception {
        App lowers = App.builder("0", "0").exec("/bin/true").isolator(new Isolator.NoNewPrivileges(false)).build();
        App plain = App.builder("0", "0").exec("/bin/true").build();
        assertTrue(launch(PodSpec.of("x"), plain).plan().apps().get(0).noNewPrivileges());
        assertTrue(launch(PodSpec.of("x"), lowers).plan().apps().get(0).noNewPrivileges());
        assertTrue(launch(insecure(InsecureOption.CAPABILITIES), plain).plan().apps().get(0).noNewPrivileges());
        assertEquals(false, launch(insecure(InsecureOption.CAPABILITIES), lowers).plan().apps().get(0).noNewPrivileges());
    }

    @Test
    void masksAndTheSeccompFilterAreOnUnlessTheUserSwitchesThemOff() throws Exception {
        Stage1Plan plain = launch(PodSpec.of("x"), app()).plan();
        assertTrue(plain.maskPaths());
        assertEquals(Stage1Plan.Seccomp.DEFAULT, plain.apps().get(0).seccomp());
        Stage1Plan paths = launch(insecure(InsecureOption.PATHS), app()).plan();
        assertEquals(false, paths.maskPaths());
        assertEquals(Stage1Plan.Seccomp.DEFAULT, paths.apps().get(0).seccomp());
        Stage1Plan seccomp = launch(insecure(InsecureOption.SECCOMP), app()).plan();
        assertTrue(seccomp.maskPaths());
        assertEquals(Stage1Plan.Seccomp.NONE, seccomp.apps().get(0).seccomp());
    }

    @Test
    void everyPodHasAPidsLimitTheDefaultUnlessTheUserSetsOne() throws Exception {
        assertEquals(CgroupLimits.DEFAULT_PIDS_MAX, launch(PodSpec.of("x"), app()).podLimits().pids());
        PodSpec limited = PodSpec.of("x").withPidsLimit(64L);
        assertEquals(64L, launch(limited, app()).podLimits().pids());
    }

    @Test
    void anImageWithoutAnAppNeedsExec() throws Exception {
        StageException e = assertThrows(StageException.class, () -> launch(PodSpec.of("x"), null));
        assertTrue(e.getMessage().contains("has no app to run: give the command with --exec"), e.getMessage());
        assertEquals(false, e.retryable());
        Stage1Plan.App app = launch(spec("/bin/true", List.of(), Map.of(), null, null, Set.of()), null).plan().apps().get(0);
        assertEquals(List.of("/bin/true"), app.argv());
        assertEquals("0", app.user());
    }

    @Test
    void appNamesAreTheLastPartOfTheImageNameMadeFileSafe() {
        assertEquals("redis-server", PodPlanner.appName("example.com/redis-server"));
        assertEquals("busybox", PodPlanner.appName("busybox"));
        assertEquals("my-app-v2", PodPlanner.appName("example.com/My_App.v2"));
        assertEquals("app", PodPlanner.appName("example.com/___"));
    }

    @Test
    void nameOverridesTheAppsNameInThePodManifestAndThePlan() throws Exception {
        PodSpec spec = PodSpec.of("example.com/redis-server").withApp("cache", null, null, null);
        PodManifest manifest = planner.manifest(POD, spec, IMAGE_ID, image(app()));
        assertEquals("cache", manifest.apps().get(0).name().value());
        assertEquals("cache", planner.plan(POD, new PodDir(POD_DIR), TREE, spec, manifest).plan().apps().get(0).name());
    }

    @Test
    void userAndGroupOverrideTheImagesInThePodManifestAndThePlan() throws Exception {
        PodSpec spec = PodSpec.of("example.com/redis-server").withApp(null, "4000", "5000", null);
        App app = planner.manifest(POD, spec, IMAGE_ID, image(app())).apps().get(0).app().orElseThrow();
        assertEquals("4000", app.user());
        assertEquals("5000", app.group());
        assertEquals(List.of(2000L), app.supplementaryGids(), "the image's supplementary groups stay");
        Stage1Plan.App planned = launch(spec, app()).plan().apps().get(0);
        assertEquals("4000", planned.user());
        assertEquals("5000", planned.group());
    }

    @Test
    void workingDirOverridesTheImagesInThePodManifestAndThePlan() throws Exception {
        PodSpec spec = PodSpec.of("example.com/redis-server").withApp(null, null, null, "/tmp");
        App app = planner.manifest(POD, spec, IMAGE_ID, image(app())).apps().get(0).app().orElseThrow();
        assertEquals("/tmp", app.workingDirectory());
        assertEquals("/tmp", launch(spec, app()).plan().apps().get(0).workingDirectory());
        assertEquals("/data", launch(PodSpec.of("example.com/redis-server"), app()).plan().apps().get(0).workingDirectory());
    }

    @Test
    void overridesApplyToAnImageWithoutAnAppRunWithExec() throws Exception {
        PodSpec spec = spec("/bin/true", List.of(), Map.of(), null, null, Set.of()).withApp("t", "7", "8", "/srv");
        Stage1Plan.App app = launch(spec, null).plan().apps().get(0);
        assertEquals("t", app.name());
        assertEquals("7", app.user());
        assertEquals("8", app.group());
        assertEquals("/srv", app.workingDirectory());
    }

    @Test
    void aUserOrGroupNameInTheImagesDatabasesRunsAndOneMissingFailsThePodNamingIt(@TempDir Path tree) throws Exception {
        Files.createDirectories(tree.resolve("etc"));
        Files.writeString(tree.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nredis:x:999:999::/data:/bin/false\n");
        Files.writeString(tree.resolve("etc/group"), "root:x:0:\nredis:x:999:\n");
        PodSpec named = PodSpec.of("example.com/redis-server").withApp(null, "redis", "redis", null);
        PodManifest manifest = planner.manifest(POD, named, IMAGE_ID, image(app()));
        Stage1Plan.App app = planner.plan(POD, new PodDir(POD_DIR), tree, named, manifest).plan().apps().get(0);
        assertEquals("redis", app.user());
        assertEquals("redis", app.group());

        PodSpec badUser = PodSpec.of("example.com/redis-server").withApp(null, "nosuchuser", null, null);
        StageException e = assertThrows(StageException.class, () -> planner.plan(POD, new PodDir(POD_DIR), tree, badUser,
                planner.manifest(POD, badUser, IMAGE_ID, image(app()))));
        assertEquals("app redis-server: user \"nosuchuser\" is not in the image's /etc/passwd: give a number"
                + " (e.g. --user=1000) or a name the image's /etc/passwd has", e.getMessage());
        assertEquals(false, e.retryable());

        PodSpec badGroup = PodSpec.of("example.com/redis-server").withApp(null, null, "wheel", null);
        e = assertThrows(StageException.class, () -> planner.plan(POD, new PodDir(POD_DIR), tree, badGroup,
                planner.manifest(POD, badGroup, IMAGE_ID, image(app()))));
        assertTrue(e.getMessage().contains("group \"wheel\" is not in the image's /etc/group"), e.getMessage());

        Files.delete(tree.resolve("etc/passwd"));
        e = assertThrows(StageException.class, () -> planner.plan(POD, new PodDir(POD_DIR), tree, named, manifest));
        assertTrue(e.getMessage().contains("user \"redis\" is a name, but the image has no readable /etc/passwd"),
                e.getMessage());
    }

    // ---- volumes, mounts, mount points, hooks, read-only root ----

    private static App withMountPoints() {
        return app().toBuilder().mountPoint("data", "/var/data", false).mountPoint("cache", "/var/cache", true)
                .mountPoint("logs", "/var/log", false)
                .eventHandler(EventHandler.Kind.PRE_START, "/bin/prepare", "--db")
                .eventHandler(EventHandler.Kind.POST_STOP, "/bin/cleanup").build();
    }

    /** The one-app pod manifest of {@code app}, with these volumes and mounts. */
    private PodManifest podWith(App app, List<Volume> volumes, List<Mount> mounts, boolean readOnlyRoot) throws StageException {
        PodApp made = planner.manifest(POD, PodSpec.of("x"), IMAGE_ID, image(app)).apps().get(0);
        PodApp.Builder a = PodApp.builder(made.name().value(), made.image()).app(made.app().orElseThrow())
                .readOnlyRootFs(readOnlyRoot);
        mounts.forEach(a::mount);
        PodManifest.Builder pod = PodManifest.builder().app(a.build());
        volumes.forEach(pod::volume);
        return pod.build();
    }

    @Test
    void mountsThenUnfilledMountPointsBecomeThePlansMountsAnUnfilledOneAnEmptyVolumeWithAWarning(@TempDir Path host)
            throws Exception {
        Volume shared = new Volume(AcName.parse("shared"), Volume.Kind.EMPTY, Optional.empty(), false, true, 0770, 1000, 1001);
        PodManifest manifest = podWith(withMountPoints(), List.of(shared, Volume.host("cache", host.toString(), false)),
                List.of(Mount.of("shared", "/var/data")), true);
        PodPlanner.Planned planned = planner.plan(POD, new PodDir(POD_DIR), TREE, PodSpec.of("x"), manifest);

        Stage1Plan.App app = planned.plan().apps().get(0);
        assertEquals(List.of(
                new Stage1Plan.Mount(POD_DIR.resolve("volumes/shared"), "/var/data", false, false),
                new Stage1Plan.Mount(host, "/var/cache", true, true), // by name; read-only as its mount point says
                new Stage1Plan.Mount(POD_DIR.resolve("volumes/redis-server.logs"), "/var/log", false, false)),
                app.mounts());
        assertEquals(List.of(new PodPlanner.EmptyVolume(POD_DIR.resolve("volumes/shared"), 0770, 1000, 1001),
                        new PodPlanner.EmptyVolume(POD_DIR.resolve("volumes/redis-server.logs"), 0755, 0, 0)),
                planned.emptyVolumes());
        assertEquals(List.of("app redis-server: mount point logs (/var/log) has no volume, so it gets an empty one that is"
                + " removed with the pod; to keep its data, give --volume logs,kind=host,source=DIR"), planned.warnings());
        assertEquals(List.of("/bin/prepare", "--db"), app.preStart());
        assertEquals(List.of("/bin/cleanup"), app.postStop());
        assertTrue(app.readOnlyRoot());

        Stage1Plan.App plain = launch(PodSpec.of("x"), app()).plan().apps().get(0);
        assertEquals(List.of(), plain.mounts());
        assertEquals(List.of(), plain.preStart());
        assertEquals(false, plain.readOnlyRoot());
    }

    @Test
    void appsMountingOneEmptyVolumeShareItsDirectory() throws Exception {
        PodApp made = planner.manifest(POD, PodSpec.of("x"), IMAGE_ID, image(app())).apps().get(0);
        PodManifest.Builder pod = PodManifest.builder().volume(Volume.empty("shared"));
        for (String name : List.of("writer", "reader")) {
            pod.app(PodApp.builder(name, made.image()).app(made.app().orElseThrow())
                    .mount(Mount.of("shared", "/" + name)).build());
        }
        PodPlanner.Planned planned = planner.plan(POD, new PodDir(POD_DIR), TREE, PodSpec.of("x"), pod.build());
        Path dir = POD_DIR.resolve("volumes/shared");
        assertEquals(List.of(new Stage1Plan.Mount(dir, "/writer", false, false)), planned.plan().apps().get(0).mounts());
        assertEquals(List.of(new Stage1Plan.Mount(dir, "/reader", false, false)), planned.plan().apps().get(1).mounts());
        assertEquals(List.of(new PodPlanner.EmptyVolume(dir, 0755, 0, 0)), planned.emptyVolumes(), "one directory");
        assertEquals(List.of(), planned.warnings());
    }

    @Test
    void anUndeclaredVolumeAMissingHostSourceAndNestedTargetsAreRefusedNamingThem(@TempDir Path host) throws Exception {
        PodManifest undeclared = podWith(app(), List.of(), List.of(Mount.of("db", "/db")), false);
        StageException e = assertThrows(StageException.class,
                () -> planner.plan(POD, new PodDir(POD_DIR), TREE, PodSpec.of("x"), undeclared));
        assertTrue(e.getMessage().contains("app redis-server mounts volume db at /db, which the pod does not have:"
                + " add --volume db,kind=empty"), e.getMessage());

        PodManifest missing = podWith(app(), List.of(Volume.host("db", host.resolve("nope").toString(), false)),
                List.of(Mount.of("db", "/db")), false);
        e = assertThrows(StageException.class, () -> planner.plan(POD, new PodDir(POD_DIR), TREE, PodSpec.of("x"), missing));
        assertTrue(e.getMessage().contains("volume db: its host source " + host.resolve("nope") + " does not exist"),
                e.getMessage());

        PodManifest nested = podWith(app(), List.of(Volume.empty("a"), Volume.empty("b")),
                List.of(Mount.of("a", "/srv"), Mount.of("b", "/srv/b")), false);
        e = assertThrows(StageException.class, () -> planner.plan(POD, new PodDir(POD_DIR), TREE, PodSpec.of("x"), nested));
        assertTrue(e.getMessage().contains("two mounts at nested paths /srv and /srv/b"), e.getMessage());
    }

    @Test
    void emptyVolumesAreMadeWithTheirModeAndOwnerAndKeptWhenTheyExist(@TempDir Path pod) throws Exception {
        int uid = (Integer) Files.getAttribute(pod, "unix:uid");
        int gid = (Integer) Files.getAttribute(pod, "unix:gid");
        Path dir = pod.resolve("volumes/shared");
        PodPlanner.Planned planned = new PodPlanner.Planned(launch(PodSpec.of("x"), app()).plan(), CgroupLimits.NONE, Map.of(), List.of(),
                List.of(new PodPlanner.EmptyVolume(dir, 01770, uid, gid)), List.of());
        PodPlanner.makeEmptyVolumes(planned);
        assertEquals(01770, (Integer) Files.getAttribute(dir, "unix:mode") & 07777);
        assertEquals(uid, Files.getAttribute(dir, "unix:uid"));
        Files.writeString(dir.resolve("kept"), "x");
        PodPlanner.makeEmptyVolumes(planned);
        assertTrue(Files.exists(dir.resolve("kept")), "a volume lives as long as its pod");
    }

    private static App withIsolators(Isolator... isolators) {
        App.Builder b = App.builder("0", "0").exec("/bin/app");
        for (Isolator i : isolators) {
            b.isolator(i);
        }
        return b.build();
    }

    private Stage1Plan.Seccomp seccompOf(PodSpec spec, Isolator isolator) throws StageException {
        return launch(spec, withIsolators(isolator)).plan().apps().get(0).seccomp();
    }

    @Test
    void aSeccompRetainSetNarrowsTheDefaultFilterAndWithTheUsersGrantAloneDecides() throws Exception {
        Isolator retain = new Isolator.SeccompRetain(List.of("write", "read"), java.util.Optional.of("ENOTSUP"));
        assertEquals(Stage1Plan.Seccomp.retain(List.of("read", "write"), 95, true), seccompOf(PodSpec.of("x"), retain));
        assertEquals(Stage1Plan.Seccomp.retain(List.of("read", "write"), 95, false),
                seccompOf(insecure(InsecureOption.SECCOMP), retain));
        Isolator all = new Isolator.SeccompRetain(List.of("@appc.io/all", "read"), java.util.Optional.empty());
        assertEquals(Stage1Plan.Seccomp.DEFAULT, seccompOf(PodSpec.of("x"), all), "appc's opt-out keeps rkj's boundary");
        assertEquals(Stage1Plan.Seccomp.NONE, seccompOf(insecure(InsecureOption.SECCOMP), all));
    }

    @Test
    void aSeccompRemoveSetWithoutErrnoKillsAndItsEmptyWildcardIsTheDefaultFilter() throws Exception {
        assertEquals(Stage1Plan.Seccomp.remove(List.of("reboot"), 0, true),
                seccompOf(PodSpec.of("x"), new Isolator.SeccompRemove(List.of("reboot"), java.util.Optional.empty())));
        assertEquals(Stage1Plan.Seccomp.DEFAULT, seccompOf(PodSpec.of("x"),
                new Isolator.SeccompRemove(List.of("@appc.io/empty", "reboot"), java.util.Optional.of("EPERM"))));
    }

    @Test
    void anUnknownErrnoOrWildcardInASeccompSetIsRefusedNamingIt() {
        StageException errno = assertThrows(StageException.class, () -> seccompOf(PodSpec.of("x"),
                new Isolator.SeccompRemove(List.of("reboot"), java.util.Optional.of("ENOPE"))));
        assertTrue(errno.getMessage().contains("errno ENOPE, which is not an errno Linux knows"), errno.getMessage());
        StageException wildcard = assertThrows(StageException.class, () -> seccompOf(PodSpec.of("x"),
                new Isolator.SeccompRetain(List.of("@rkt/default-whitelist"), java.util.Optional.empty())));
        assertTrue(wildcard.getMessage().contains("@rkt/default-whitelist, which rkj does not know"), wildcard.getMessage());
    }

    @Test
    void oomScoreAdjAndTheMemoryRequestReachThePlanAndTheCgroup() throws Exception {
        Isolator oom = new Isolator.Other(new dev.rkj.engine.appc.AcIdentifier("os/linux/oom-score-adj"), "-200");
        Isolator memory = new Isolator.Memory(java.util.Optional.of(Quantity.parse("64Mi")),
                java.util.Optional.of(Quantity.parse("128Mi")));
        PodPlanner.Planned launch = launch(PodSpec.of("x"), withIsolators(oom, memory));
        assertEquals(-200, launch.plan().apps().get(0).oomScoreAdj());
        assertEquals(64L << 20, launch.podLimits().memoryRequestBytes());
        assertEquals(128L << 20, launch.podLimits().memoryBytes());
        assertEquals(null, launch(PodSpec.of("x"), app()).plan().apps().get(0).oomScoreAdj());

        Isolator wrong = new Isolator.Other(new dev.rkj.engine.appc.AcIdentifier("os/linux/oom-score-adj"), "\"high\"");
        StageException e = assertThrows(StageException.class, () -> launch(PodSpec.of("x"), withIsolators(wrong)));
        assertTrue(e.getMessage().contains("give an integer from -1000 to 1000"), e.getMessage());
    }

    @Test
    void everyIsolatorIsReportedAppliedModifiedOrIgnored() throws Exception {
        Isolator apparmor = new Isolator.Other(new dev.rkj.engine.appc.AcIdentifier("os/linux/apparmor-profile"),
                "{\"name\":\"rkt-default\"}");
        PodPlanner.Planned launch = launch(PodSpec.of("x"), withIsolators(Isolator.Memory.limit(Quantity.parse("1G")),
                new Isolator.SeccompRetain(List.of("read"), java.util.Optional.of("EPERM")), apparmor,
                new Isolator.NoNewPrivileges(false)));
        Map<String, dev.rkj.engine.pod.IsolatorOutcome.Outcome> outcomes = new LinkedHashMap<>();
        launch.isolators().forEach(o -> outcomes.put(o.name(), o.outcome()));
        assertEquals(Map.of("resource/memory", dev.rkj.engine.pod.IsolatorOutcome.Outcome.APPLIED,
                "os/linux/seccomp-retain-set", dev.rkj.engine.pod.IsolatorOutcome.Outcome.MODIFIED,
                "os/linux/apparmor-profile", dev.rkj.engine.pod.IsolatorOutcome.Outcome.IGNORED,
                "os/linux/no-new-privileges", dev.rkj.engine.pod.IsolatorOutcome.Outcome.MODIFIED), outcomes);
        assertEquals("app redis-server: os/linux/apparmor-profile ignored: rkj applies no AppArmor profiles",
                launch.isolators().get(2).describe());
    }

    @Test
    void privateUsersPlansARangeOf65536IdsThatNoOtherPodsPlanHoldsAndReportsIt(@TempDir Path pods) throws Exception {
        PodSpec spec = PodSpec.of("x");
        PodManifest manifest = planner.manifest(POD, spec, IMAGE_ID, image(app()));
        PodDir dir = new PodDir(pods.resolve(POD));
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (int i = 0; i < 40; i++) { // other pods' plans take ranges: none is given twice
            PodPlanner.Planned planned = planner.plan(POD, dir, TREE, spec, manifest, true, null);
            Stage1Plan.PrivateUsers users = planned.plan().privateUsers();
            assertEquals(65536, users.count());
            assertTrue(users.shift() >= PodPlanner.FIRST_SHIFT && users.shift() % 65536 == 0
                    && users.shift() + users.count() <= 1L << 31, users.toString());
            assertTrue(seen.add(users.shift()), "given twice: " + users);
            PodDir other = new PodDir(pods.resolve("other-" + i));
            Files.createDirectories(other.path());
            Files.writeString(other.plan(), new dev.rkj.stage1.Stage1PlanWriter().format(planned.plan()));
            assertEquals(java.util.Optional.of(users), dev.rkj.stage1.Stage1PlanWriter.privateUsers(other.plan()));
            IsolatorOutcome reported = planned.isolators().get(planned.isolators().size() - 1);
            assertEquals("pod: rkj/private-users applied: the pod's uids and gids 0-65535 are " + users.shift() + "-"
                    + (users.shift() + 65535) + " on the host (uid_map 0:" + users.shift() + ":65536)", reported.describe());
        }
        assertNull(planner.plan(POD, dir, TREE, spec, manifest, false, null).plan().privateUsers());
    }
}
