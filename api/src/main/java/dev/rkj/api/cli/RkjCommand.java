package dev.rkj.api.cli;

import dev.rkj.engine.mds.MdsEndpoint;
import java.io.PrintStream;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import dev.rkj.engine.trust.TrustStore;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code rkj}: the root command, holding the global options every subcommand inherits. */
@Command(
        name = "rkj",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = "rkj: an App Container runtime. Fetch, verify and run App Container Images as pods.")
public final class RkjCommand implements Runnable, AutoCloseable {
    /**
     * The subcommands, in the order help lists them. Not in the {@code @Command} annotation: {@link Cli}
     * builds only the one a command line names (picocli builds a whole tree by reflection, which
     * costs more than a warm daemon's answer), and all of them for help, completion or a typo.
     */
    static final java.util.List<Class<?>> SUBCOMMANDS = java.util.List.of(
            PodCommands.Run.class,
            PodCommands.Prepare.class,
            PodCommands.RunPrepared.class,
            PodCommands.ListPods.class,
            PodCommands.Status.class,
            PodCommands.Stop.class,
            PodCommands.Remove.class,
            PodCommands.Gc.class,
            PodCommands.Enter.class,
            PodCommands.CatManifest.class,
            LogsCommand.class,
            EventsCommand.class,
            JournalCommand.class,
            FetchCommand.class,
            ImageCommand.class,
            TrustCommand.class,
            DaemonCommand.class,
            DashboardCommand.class,
            MetadataServiceCommand.class,
            VersionCommand.class,
            CompletionCommand.class,
            picocli.CommandLine.HelpCommand.class);

    static final String DEFAULT_DIR = "/var/lib/rkj";

    @Option(names = "--dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "rkj's data directory (default: $RKJ_DIR, else " + DEFAULT_DIR + ")")
    Path dir;

    @Option(names = "--system-config", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "the system configuration directory, whose trust/ holds the administrator's trusted keys"
                    + " (default: $RKJ_SYSTEM_CONFIG, else /etc/rkj)")
    Path systemConfig;

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "log verbosely and show stack traces of errors")
    void setDebug(boolean debug) {
        this.debug = debug;
        if (debug) {
            Logging.enableDebug();
        }
    }

    private boolean debug;
    private final PrintStream out;
    private final PrintStream err;
    private final Invocation caller;
    private Context context;
    /** Where appc discovery finds a prefix's page (scheme, prefix → URL): the spec's place, unless a test's Cli says otherwise. */
    java.util.function.BiFunction<String, String, java.net.URI> discoveryPages = dev.rkj.engine.fetch.Discovery::specPage;
    private boolean writeChecked; // the context's data directory was found writable

    RkjCommand(PrintStream out, PrintStream err, Invocation caller) {
        this.out = out;
        this.err = err;
        this.caller = caller;
    }

    /** Whose command line this is: this process's, or a thin client's that the daemon runs. */
    Invocation invocation() {
        return caller;
    }

    /** The data directory this command line names: {@code --dir}, else {@code $RKJ_DIR}, else the default; not checked. */
    private Path namedDataDir() {
        String env = caller.env("RKJ_DIR");
        Path named = dir != null ? dir : env != null && !env.isBlank() ? caller.path(env) : Path.of(DEFAULT_DIR);
        return named.toAbsolutePath().normalize();
    }

    /**
     * The system configuration directory: {@code --system-config}, else {@code $RKJ_SYSTEM_CONFIG}, else
     * {@link TrustStore#DEFAULT_SYSTEM_CONFIG}.
     */
    Path systemConfig() {
        String env = caller.env("RKJ_SYSTEM_CONFIG");
        Path named = systemConfig != null ? systemConfig
                : env != null && !env.isBlank() ? caller.path(env) : TrustStore.DEFAULT_SYSTEM_CONFIG;
        return named.toAbsolutePath().normalize();
    }

    /** The keys trusted to sign images: the data directory's and the system configuration directory's. */
    TrustStore trustStore() {
        return TrustStore.of(context().dataDir(), systemConfig());
    }

    /** Whether the daemon's data directory is this command line's (the same directory, symlinks followed). */
    boolean dataDirIsShared() {
        Path shared = caller.shared().dataDir();
        Path named = namedDataDir();
        try {
            return named.equals(shared) || java.nio.file.Files.isSameFile(named, shared);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * Where the metadata service listens, and so what pods are told: {@code $RKJ_MDS_SOCKET} and
     * {@code $RKJ_MDS_PORT}, else {@link MdsEndpoint#defaults()}.
     */
    MdsEndpoint mdsEndpoint() {
        String socket = caller.env("RKJ_MDS_SOCKET");
        String port = caller.env("RKJ_MDS_PORT");
        try {
            return new MdsEndpoint(socket == null || socket.isBlank() ? MdsEndpoint.DEFAULT_SOCKET : caller.path(socket),
                    port == null || port.isBlank() ? MdsEndpoint.DEFAULT_PORT : Integer.parseInt(port.strip()));
        } catch (NumberFormatException e) {
            throw new CliException("$RKJ_MDS_PORT `" + port + "` is not a port number: give 1..65535, or unset it for "
                    + MdsEndpoint.DEFAULT_PORT);
        } catch (IllegalArgumentException e) {
            throw new CliException("$RKJ_MDS_SOCKET / $RKJ_MDS_PORT: " + e.getMessage());
        }
    }

    boolean debug() {
        return debug;
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    /** The data directory and what lives in it, opened on first use and closed after the command. */
    Context context() {
        if (context == null && caller.remote()) {
            context = caller.shared();
            writeChecked = true;
        } else if (context == null) {
            context = Context.open(DataDir.resolve(dir, caller.env("RKJ_DIR"), DEFAULT_DIR), err);
            context.mdsEndpoint(mdsEndpoint());
            context.systemConfig(systemConfig());
            writeChecked = true;
        } else if (!writeChecked) {
            DataDir.checkWritable(context.dataDir());
            writeChecked = true;
        }
        return context;
    }

    /**
     * As {@link #context()} for a command that only reads ({@code list}, {@code status}, {@code
     * journal}, image reads): a data directory this user cannot write, or on a read-only mount, is
     * accepted. Read through {@link Context#readJournal()}, {@link Context#readImageStore()} and
     * {@link Context#reader()}, which create and write nothing.
     */
    Context readContext() {
        if (context == null && caller.remote()) {
            context = caller.shared();
        } else if (context == null) {
            context = Context.open(DataDir.resolve(dir, caller.env("RKJ_DIR"), DEFAULT_DIR, false), err);
        }
        return context;
    }

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(
                new picocli.CommandLine(this), "missing command: try 'rkj --help'");
    }

    @Override
    public void close() {
        if (context != null && !caller.remote()) { // the daemon's stays open
            context.close();
        }
    }
}
