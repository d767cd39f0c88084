package dev.rkj.engine.run;

import dev.rkj.engine.net.CniPlugins;
import dev.rkj.engine.net.NetworkConfigs;
import dev.rkj.engine.net.PodNetworks;
import dev.rkj.engine.stage.CrashPoint;
import dev.rkj.engine.stage.PodJanitorPort;
import dev.rkj.engine.stage.PodPreparerPort;
import dev.rkj.engine.stage.PodRuntime;
import dev.rkj.stage1.Netns;
import dev.rkj.stage1.PodLock;
import dev.rkj.stage1.PodStarter;
import dev.rkj.stage1.Stage1Binary;
import dev.rkj.stage1.Stage1Launcher;
import dev.rkj.stage1.cgroup.Cgroups;
import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.stage1.kernel.LinuxKernel;
import dev.rkj.stage1.overlay.Overlay;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The stage1-backed ports of one data directory, sharing one kernel, cgroup tree and
 * {@link PodStarter} (which alone mounts pods' overlays): {@link #preparer}, {@link #runtime},
 * {@link #janitor}. Pods live in
 * {@code <dataDir>/pods/<uuid>}, stage1 is extracted to {@code <dataDir>/stage1/<sha256>/}.
 */
public final class Stage1Host {
    /** The pods directory under the data directory. */
    public static final String PODS = "pods";

    private final Path dataDir;
    private final Path podsDir;
    private final Cgroups cgroups;
    private final PodStarter starter;
    private final PodLock lock;
    private final PodPlanner planner;
    private final PreparedManifests prepared = new PreparedManifests();
    private final Stage1PodRuntime runtime;

    private final PodNetworks networks;

    private Stage1Host(Path dataDir, Kernel kernel, Cgroups cgroups, PodStarter starter,
                       Stage1Launcher.Output output, PodPlanner planner, MdsPolicy mds, PodNetworks networks,
                       CrashPoint crashAt) {
        this.networks = networks;
        this.dataDir = dataDir;
        this.planner = planner;
        this.podsDir = dataDir.resolve(PODS);
        this.cgroups = cgroups;
        this.starter = starter;
        this.lock = new PodLock(kernel);
        this.runtime = new Stage1PodRuntime(dataDir, starter, cgroups, lock, kernel, planner, output, prepared, mds,
                networks, crashAt);
    }

    /**
     * The host of {@code dataDir} with the live kernel and cgroup layout, pod cgroups under
     * {@code cgroupParent} ({@code rkj} normally).
     *
     * @param output where stage1's (and the apps') output goes
     * @throws IOException if stage1 cannot be extracted or the cgroup layout cannot be read
     */
    public static Stage1Host open(Path dataDir, String cgroupParent, Stage1Launcher.Output output) throws IOException {
        return open(dataDir, cgroupParent, output, new PodPlanner());
    }

    /** {@link #open(Path, String, Stage1Launcher.Output)} with pods planned by {@code planner} (its log cap). */
    public static Stage1Host open(Path dataDir, String cgroupParent, Stage1Launcher.Output output, PodPlanner planner)
            throws IOException {
        return open(dataDir, cgroupParent, output, planner, MdsPolicy.NONE);
    }

    /** {@link #open(Path, String, Stage1Launcher.Output, PodPlanner)} registering the pods {@code mds} says with the metadata service. */
    public static Stage1Host open(Path dataDir, String cgroupParent, Stage1Launcher.Output output, PodPlanner planner,
                                  MdsPolicy mds) throws IOException {
        return open(dataDir, cgroupParent, output, planner, mds, null);
    }

    /**
     * {@link #open(Path, String, Stage1Launcher.Output, PodPlanner, MdsPolicy)} halting at
     * {@code crashAt} (tests only; null: never). Pods join CNI networks from {@link NetworkConfigs#of}
     * with the plugins of {@link CniPlugins#DEFAULT_DIRS}.
     */
    public static Stage1Host open(Path dataDir, String cgroupParent, Stage1Launcher.Output output, PodPlanner planner,
                                  MdsPolicy mds, CrashPoint crashAt) throws IOException {
        Kernel kernel = LinuxKernel.get();
        Overlay overlay = new Overlay(kernel);
        Cgroups cgroups = new Cgroups(kernel, dev.rkj.stage1.cgroup.CgroupLayout.detect(), cgroupParent);
        Path binary = Stage1Binary.extract(dataDir);
        Stage1Launcher launcher = new Stage1Launcher(kernel, binary, true); // a spare: closed with the runtime
        PodNetworks networks = new PodNetworks(NetworkConfigs.of(dataDir), new CniPlugins(CniPlugins.DEFAULT_DIRS),
                new Netns(kernel, binary));
        return new Stage1Host(dataDir, kernel, cgroups, new PodStarter(overlay, cgroups, launcher),
                output, planner, mds, networks, crashAt);
    }

    /** The prepare port, finding image manifests in {@code manifests}. */
    public PodPreparerPort preparer(ImageManifestSource manifests) {
        return new Stage1PodPreparer(dataDir, manifests, planner, prepared);
    }

    /** The pod runtime (one per host: it keeps the handles of the pods it started). */
    public PodRuntime runtime() {
        return runtime;
    }

    public PodJanitorPort janitor() {
        return new Stage1PodJanitor(podsDir, starter, lock, networks);
    }

    /** The pods directory. */
    public Path podsDir() {
        return podsDir;
    }

    /** The pod cgroups (for tests and diagnostics). */
    public Cgroups cgroups() {
        return cgroups;
    }
}
