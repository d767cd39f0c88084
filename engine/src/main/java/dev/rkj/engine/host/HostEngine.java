package dev.rkj.engine.host;

import dev.rkj.engine.Engine;
import dev.rkj.engine.EngineConfig;
import dev.rkj.engine.EngineException;
import dev.rkj.engine.EnginePorts;
import dev.rkj.engine.run.MdsPolicy;
import dev.rkj.engine.run.PodPlanner;
import dev.rkj.engine.run.Stage1Host;
import dev.rkj.engine.stage.ImageVerifierPort;
import dev.rkj.engine.store.ImageStore;
import dev.rkj.engine.trust.TrustStore;
import dev.rkj.eventlog.Journal;
import dev.rkj.stage1.Stage1Launcher;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The engine on this host: the real image store, the native stage1, the kernel's overlayfs and
 * cgroups. What the CLI, the daemon and the benchmarks open.
 */
public final class HostEngine {
    /** The cgroup every pod's cgroup lives under. */
    public static final String CGROUP_PARENT = "rkj";

    private HostEngine() {}

    /**
     * The image verifier of this host's engines, over {@code store} and the keys {@code trust} holds:
     * asked up front too (see {@link ImageVerifierPort#refusesAnyImage}).
     */
    public static ImageVerifierPort verifier(ImageStore store, TrustStore trust) {
        return new TrustedImageVerifier(store, trust);
    }

    /** The trust store of {@code dataDir} with the default system configuration directory. */
    public static TrustStore defaultTrust(Path dataDir) {
        return TrustStore.of(dataDir, TrustStore.DEFAULT_SYSTEM_CONFIG);
    }

    /** The real ports for {@code dataDir}, with pods' output going to {@code output}. */
    public static EnginePorts ports(Path dataDir, ImageStore store, Stage1Launcher.Output output) throws IOException {
        return ports(dataDir, store, output, MdsPolicy.NONE, defaultTrust(dataDir));
    }

    /**
     * {@link #ports(Path, ImageStore, Stage1Launcher.Output)}, registering the pods {@code mds} says with
     * the metadata service, verifying images with the keys of {@code trust}.
     */
    public static EnginePorts ports(Path dataDir, ImageStore store, Stage1Launcher.Output output, MdsPolicy mds,
                                    TrustStore trust) throws IOException {
        Stage1Host host = Stage1Host.open(dataDir, CGROUP_PARENT, output, new PodPlanner(), mds);
        StoreImages images = new StoreImages(store, trust);
        return new EnginePorts(images, verifier(store, trust), images, host.preparer(images), host.runtime(),
                host.janitor());
    }

    /**
     * Opens an engine on {@code dataDir} sharing {@code journal} and {@code store} (blocking; not on a
     * Vert.x thread).
     *
     * @param watchOrphans adopt and watch running pods whose engine died, so their exit is recorded
     *                     as it happens (a daemon, {@code rkj status --wait}); without it their exit
     *                     is still recorded, by the next engine that starts after it
     */
    public static Engine open(Path dataDir, Journal journal, ImageStore store, Stage1Launcher.Output output,
                              boolean watchOrphans) throws EngineException {
        return open(dataDir, journal, store, output, watchOrphans, null);
    }

    /**
     * {@link #open(Path, Journal, ImageStore, Stage1Launcher.Output, boolean)} on {@code vertx}
     * (the daemon's, with its transport and metrics; the caller closes it after the engine), or on
     * one of the engine's own if null.
     */
    public static Engine open(Path dataDir, Journal journal, ImageStore store, Stage1Launcher.Output output,
                              boolean watchOrphans, io.vertx.core.Vertx vertx) throws EngineException {
        return open(dataDir, journal, store, output, watchOrphans, vertx, MdsPolicy.NONE);
    }

    /**
     * {@link #open(Path, Journal, ImageStore, Stage1Launcher.Output, boolean, io.vertx.core.Vertx)},
     * registering the pods {@code mds} says with the metadata service.
     */
    public static Engine open(Path dataDir, Journal journal, ImageStore store, Stage1Launcher.Output output,
                              boolean watchOrphans, io.vertx.core.Vertx vertx, MdsPolicy mds) throws EngineException {
        return open(dataDir, journal, store, output, watchOrphans, vertx, mds, defaultTrust(dataDir));
    }

    /** As {@link #open(Path, Journal, ImageStore, Stage1Launcher.Output, boolean, io.vertx.core.Vertx, MdsPolicy)}, trusting the keys of {@code trust}. */
    public static Engine open(Path dataDir, Journal journal, ImageStore store, Stage1Launcher.Output output,
                              boolean watchOrphans, io.vertx.core.Vertx vertx, MdsPolicy mds, TrustStore trust)
            throws EngineException {
        EnginePorts ports;
        try {
            ports = ports(dataDir, store, output, mds, trust);
        } catch (IOException e) {
            throw new EngineException("cannot set up the host for pods in " + dataDir + ": " + e.getMessage()
                    + " (rkj needs root, overlayfs and cgroups)", e);
        }
        return Engine.open(EngineConfig.builder(dataDir, ports).journal(journal).watchOrphans(watchOrphans).vertx(vertx)
                .snapshots(true).build());
    }
}
