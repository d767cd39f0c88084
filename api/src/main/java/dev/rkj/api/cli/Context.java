package dev.rkj.api.cli;

import dev.rkj.engine.Engine;
import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.EngineException;
import dev.rkj.engine.host.HostEngine;
import dev.rkj.engine.mds.MdsEndpoint;
import dev.rkj.engine.run.MdsPolicy;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.stage1.Stage1Binary;
import dev.rkj.stage1.Stage1Launcher;
import java.io.IOException;
import dev.rkj.engine.store.ImageStore;
import dev.rkj.engine.trust.TrustStore;
import dev.rkj.engine.store.ImageStoreException;
import dev.rkj.eventlog.ChronicleJournal;
import dev.rkj.eventlog.InMemoryJournal;
import dev.rkj.eventlog.Journal;
import dev.rkj.eventlog.JournalException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import dev.rkj.engine.read.HostPodTraces;
import dev.rkj.engine.read.PodReader;
import dev.rkj.engine.image.AciReader;
import dev.rkj.engine.snapshot.Snapshots;
import dev.rkj.engine.recovery.FlockLiveness;

/** What one CLI invocation opens in the data directory; opened lazily, closed after the command. */
final class Context implements AutoCloseable {
    private final Path dataDir;
    private final PrintStream warnings;
    private Journal journal;
    private Journal readOnlyJournal;
    private ImageStore imageStore;
    private ImageStore readOnlyImageStore;
    private MdsPolicy mds = MdsPolicy.NONE;
    private Path systemConfig = TrustStore.DEFAULT_SYSTEM_CONFIG;
    private Engine engine;
    private boolean shared; // the daemon's: open for its whole life, never closed by a command

    private Context(Path dataDir, PrintStream warnings) {
        this.dataDir = dataDir;
        this.warnings = warnings;
    }

    /**
     * The daemon's context as the commands it runs for thin clients see it: its journal, image
     * store and engine, already open; {@link #close()} leaves them open.
     */
    Context shared() throws JournalException, ImageStoreException {
        Context view = new Context(dataDir, warnings);
        view.journal = journal();
        view.imageStore = imageStore();
        view.engine = engine;
        view.systemConfig = systemConfig;
        view.shared = true;
        return view;
    }

    /** @param warnings where to tell the user about what opening found and fixed (a repaired journal) */
    static Context open(Path dataDir, PrintStream warnings) {
        return new Context(dataDir, warnings);
    }

    Path dataDir() {
        return dataDir;
    }

    Journal journal() throws JournalException {
        if (journal == null) {
            ChronicleJournal opened = ChronicleJournal.open(dataDir.resolve("journal"), EngineEvents.registry());
            opened.repaired().ifPresent(r -> warnings.println("rkj: warning: " + r.describe()));
            journal = opened;
        }
        return journal;
    }

    /** The image store in {@code <data dir>/cas}, over the journal. */
    ImageStore imageStore() throws JournalException, ImageStoreException {
        if (imageStore == null) {
            imageStore = ImageStore.open(dataDir.resolve(ImageStore.DIRECTORY), journal(), new AciReader(),
                    snapshot(journal()).images());
        }
        return imageStore;
    }

    /**
     * The pod engine, embedded in this process (no daemon): replays the journal, reconciles the
     * pods with the host, and drives the pods this command creates. Pods' output goes to this
     * process's stdout and stderr. Running pods of engines that died are not adopted: their exit,
     * once it happened, is recorded when the engine starts.
     */
    Engine engine() {
        return engine(false);
    }

    /**
     * Where the metadata service listens, as the pods this context's engine starts are told.
     * Which pods register: those whose spec asks ({@code --mds-register}).
     */
    void mdsEndpoint(MdsEndpoint endpoint) {
        this.mds = new MdsPolicy(endpoint, PodSpec::mdsRegister);
    }

    /** The system configuration directory whose {@code trust/} holds the administrator's keys. */
    void systemConfig(Path dir) {
        this.systemConfig = dir;
    }

    /** The system configuration directory of {@link #systemConfig(Path)}. */
    Path systemConfig() {
        return systemConfig;
    }

    /** The keys this context's engine trusts to sign images. */
    TrustStore trustStore() {
        return TrustStore.of(dataDir, systemConfig);
    }

    /** The metadata service's endpoint of {@link #mdsEndpoint(MdsEndpoint)}. */
    MdsEndpoint mdsEndpoint() {
        return mds.endpoint();
    }

    /** Where the stage1 of a pod that outlives its command writes: nowhere (its apps' output is in its logs). */
    static final Stage1Launcher.Output DISCARD = new Stage1Launcher.Output(Path.of("/dev/null"), Path.of("/dev/null"));

    /** The engine; with {@code watchOrphans}, it also adopts and watches running pods whose engine died. */
    Engine engine(boolean watchOrphans) {
        return engine(watchOrphans, Stage1Launcher.Output.INHERIT, null);
    }

    /**
     * The engine, its pods' stage1 writing to {@code output} (their apps' output is in their logs
     * whatever it is), on {@code vertx} (the daemon's; its caller closes it after this context), or
     * on its own Vert.x if null.
     */
    Engine engine(boolean watchOrphans, Stage1Launcher.Output output, io.vertx.core.Vertx vertx) {
        if (engine == null) {
            try {
                engine = HostEngine.open(dataDir, journal(), imageStore(), output, watchOrphans, vertx, mds, trustStore());
            } catch (JournalException | ImageStoreException | EngineException e) {
                throw new CliException(e.getMessage(), e);
            }
        }
        return engine;
    }

    /**
     * Reads pods straight from the journal, with no engine (no Vert.x, no verticles, no recovery):
     * for {@code rkj list} and {@code rkj status}. It records the end of pods whose stage1 and
     * engine are gone, if the data directory is writable; a read that finds nothing new writes nothing.
     */
    PodReader reader() {
        boolean writable = DataDir.writable(dataDir);
        try {
            return new PodReader(readJournal(), writable ? this::journal : PodReader.WriteAccess.NONE,
                    new HostPodTraces(dataDir), FlockLiveness.create(dataDir.resolve(FlockLiveness.DIRECTORY)),
                    Clock.systemUTC()).withSnapshots(snapshots(), this::warn);
        } catch (JournalException e) {
            throw new CliException(e.getMessage(), e);
        }
    }

    /**
     * The journal for a command that only reads ({@code journal show}, {@code journal verify},
     * image reads, {@code list}): opened read-only, so that nothing is created, written, locked or
     * repaired, whether or not this user may write the data directory; an empty journal where
     * nothing was recorded yet; the journal itself if this command opened it for writing already.
     *
     * A torn tail is not repaired (only a command that writes does that): the events before it are
     * read, after a warning.
     *
     * @throws JournalException if it cannot be read, or its newest file is damaged otherwise
     */
    Journal readJournal() throws JournalException {
        if (journal != null) {
            return journal;
        }
        if (readOnlyJournal == null) {
            Path dir = dataDir.resolve("journal");
            if (!ChronicleJournal.exists(dir)) {
                readOnlyJournal = new InMemoryJournal(EngineEvents.registry());
            } else {
                ChronicleJournal opened = ChronicleJournal.openReadOnly(dir, EngineEvents.registry());
                opened.unrepairedTear().ifPresent(tear -> warnings.println("rkj: warning: " + tear));
                readOnlyJournal = opened;
            }
        }
        return readOnlyJournal;
    }

    /**
     * The image store for a command that only reads it ({@code image list}, {@code image
     * cat-manifest}, {@code image export}...): over {@link #readJournal()}, creating, locking and
     * writing nothing.
     */
    ImageStore readImageStore() throws JournalException, ImageStoreException {
        if (imageStore != null) {
            return imageStore;
        }
        if (readOnlyImageStore == null) {
            readOnlyImageStore = ImageStore.openReadOnly(dataDir.resolve(ImageStore.DIRECTORY), readJournal(),
                    snapshot(readJournal()).images());
        }
        return readOnlyImageStore;
    }

    /** The projection snapshots of the data directory. */
    Snapshots snapshots() {
        return Snapshots.in(dataDir);
    }

    /** The newest usable projection snapshot of {@code journal} (reading only), after warning of those ignored. */
    private Snapshots.Base snapshot(Journal journal) throws JournalException {
        Snapshots.Base base = snapshots().load(journal);
        base.warnings().forEach(this::warn);
        return base;
    }

    private void warn(String warning) {
        warnings.println("rkj: warning: " + warning);
    }

    /** The native stage1, extracted into the data directory. */
    Path stage1Binary() {
        try {
            return Stage1Binary.extract(dataDir);
        } catch (IOException e) {
            throw new CliException("cannot extract rkj-stage1 into " + dataDir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (shared) {
            return;
        }
        if (engine != null) {
            engine.close();
        }
        if (journal != null) {
            journal.close();
        }
        if (readOnlyJournal != null) {
            readOnlyJournal.close();
        }
    }
}
