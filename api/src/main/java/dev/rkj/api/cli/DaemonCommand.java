package dev.rkj.api.cli;

import dev.rkj.api.http.ApiServer;
import dev.rkj.api.mds.MetadataService;
import dev.rkj.engine.mds.MdsEndpoint;
import dev.rkj.api.http.BearerToken;
import dev.rkj.api.http.DaemonMetrics;
import dev.rkj.api.http.CliRoute;
import dev.rkj.api.http.Listen;
import dev.rkj.api.http.SocketActivation;
import dev.rkj.engine.Engine;
import dev.rkj.engine.EngineException;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code rkj daemon} (rkt's {@code api-service}): the engine kept warm behind the REST API until
 * SIGTERM or SIGINT. Pods never depend on it: stopping it leaves them running, and the next engine
 * (a daemon or a CLI command) adopts them from the journal.
 */
@Command(name = "daemon", aliases = "api-service", mixinStandardHelpOptions = true,
        description = "Keep the engine running and serve the REST API (/v1) on a unix socket, or on TCP with a token;"
                + " also the appc metadata service (see rkj metadata-service).",
        footer = {"", "Examples:",
            "  rkj daemon                                   # /run/rkj/api.sock, mode 0660, group root",
            "  rkj daemon --socket-group rkj                # members of group rkj may use the API",
            "  rkj daemon --listen 127.0.0.1:8347 --token-file /etc/rkj/token   # also TCP, with a bearer token",
            "  rkj daemon --journal-retention 30d,10G       # prune journal day files past 30 days or 10 GiB, hourly",
            "  systemctl enable --now rkj.socket            # socket activation: the daemon serves the socket systemd passes",
            "  curl --unix-socket /run/rkj/api.sock http://rkj/v1/pods",
            "  curl --unix-socket /run/rkj/api.sock http://rkj/metrics              # Prometheus metrics",
            "  rkj dashboard                                # a one-time login URL for the web dashboard (needs --listen)",
            "While it runs, rkj commands of root for its data directory run in it (no journal opened by the",
            "command; $RKJ_SOCKET names another socket); daemon, enter and run --interactive stay in-process."})
final class DaemonCommand implements Callable<Integer> {
    private static final Duration START_LIMIT = Duration.ofMinutes(1);

    @ParentCommand
    RkjCommand root;

    @Option(names = "--socket", paramLabel = "PATH",
            description = "the unix socket to serve the API on (default ${DEFAULT-VALUE}); under rkj.socket, the one systemd passes instead", defaultValue = "/run/rkj/api.sock")
    Path socket;

    @Option(names = "--socket-group", paramLabel = "GROUP",
            description = "the group that may use the socket (mode 0660; default root)")
    String socketGroup;

    @Option(names = "--listen", paramLabel = "HOST:PORT",
            description = "also serve the API on TCP (needs --token-file), e.g. 127.0.0.1:8347")
    String listen;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "the bearer tokens TCP clients must send, read from FILE (mode 0600): NAME:SECRET lines"
                    + " (the journal records NAME as who asked), or one bare secret; 16 characters or more")
    Path tokenFile;

    @Option(names = "--journal-retention", paramLabel = "SPEC",
            description = "prune the journal's old day files at start and hourly: keep N days (30d), a size (10G), or both (30d,10G)")
    String journalRetention;

    /** How often the daemon applies {@code --journal-retention}. */
    static final Duration PRUNE_EVERY = Duration.ofHours(1);

    @Override
    public Integer call() throws Exception {
        dev.rkj.eventlog.Retention retention = journalRetention == null ? null : RetentionSpec.parse(journalRetention);
        SocketActivation.Inherited inherited;
        try {
            inherited = SocketActivation.fromSystemd();
        } catch (IllegalStateException e) {
            throw new CliException(e.getMessage(), e);
        }
        List<Listen> addresses = new ArrayList<>();
        addresses.add(inherited == null ? new Listen.UnixSocket(socket, socketGroup)
                : new Listen.UnixSocket(inherited.path(), null, true));
        if (inherited != null && !inherited.path().equals(socket.toAbsolutePath())) {
            root.err().println("rkj daemon: warning: serving on " + inherited.path() + ", the socket systemd passed,"
                    + " not on --socket " + socket + " (clients find it there with $RKJ_SOCKET)");
        }
        if (inherited != null && socketGroup != null) {
            root.err().println("rkj daemon: warning: --socket-group " + socketGroup + " does nothing on the socket"
                    + " systemd passed: set SocketGroup= in rkj.socket");
        }
        if (listen != null) {
            addresses.add(tcp());
        } else if (tokenFile != null) {
            throw new CliException("--token-file is for TCP: give --listen HOST:PORT too, or leave --token-file out");
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onTermination(stop::countDown);
        Context context = root.context();
        DaemonMetrics metrics = DaemonMetrics.create();
        Vertx vertx;
        try {
            vertx = metrics.vertx(inherited);
        } catch (IllegalStateException e) {
            metrics.close();
            throw new CliException(e.getMessage(), e);
        }
        Engine engine = null;
        MetadataService mds = null;
        List<ApiServer> servers = new ArrayList<>();
        try {
            dev.rkj.api.http.Dashboard dashboard;
            try {
                dashboard = dev.rkj.api.http.Dashboard.of(context.dataDir());
            } catch (java.io.UncheckedIOException | IllegalStateException e) {
                throw new CliException(e.getMessage(), e);
            }
            engine = context.engine(true, Context.DISCARD, vertx); // apps' output is in their logs
            if (retention != null) {
                pruneNowAndHourly(context, engine, retention);
            }
            for (Listen address : addresses) { // the socket first: systemd's, if it passed one, goes to the first unix server
                ApiServer server = Engine.await(ApiServer.start(engine, context.imageStore(), context.journal(), address,
                        metrics, dashboard, context.trustStore()), START_LIMIT);
                servers.add(server);
                if (address instanceof Listen.Tcp tcp) {
                    dashboard.servedAt(tcp.host(), server.port());
                }
                if (address instanceof Listen.UnixSocket) { // the thin CLI's commands, run here (TCP has no /v1/cli)
                    Context shared = context.shared();
                    CliRoute.mount(server.router(), session -> Cli.executeFor(session, shared),
                            CliRoute.PeerCredentials.KERNEL);
                }
                root.err().println("rkj daemon: serving the API on " + address
                        + (server.port() > 0 ? " (port " + server.port() + ")" : ""));
            }
            mds = metadataService(context, vertx);
            stop.await();
            root.err().println("rkj daemon: stopping; pods keep running");
        } catch (EngineException e) {
            throw new CliException(e.getMessage(), e);
        } finally {
            for (ApiServer server : servers) {
                server.close();
            }
            if (mds != null) {
                mds.shutdown().toCompletionStage().toCompletableFuture().join();
            }
            if (engine != null) {
                engine.close(); // before its Vert.x; the context's close of it later does nothing
            }
            metrics.close();
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
        return ExitCodes.OK;
    }

    /**
     * The metadata service on the endpoint pods are told ({@code $RKJ_MDS_SOCKET}, {@code $RKJ_MDS_PORT});
     * null, with a warning, if it cannot be served there (e.g. {@code rkj metadata-service} serves it already).
     */
    private MetadataService metadataService(Context context, Vertx vertx) throws Exception {
        MdsEndpoint endpoint = context.mdsEndpoint();
        try {
            MetadataService mds = MetadataServiceCommand.serve(vertx, endpoint,
                    MetadataServiceCommand.sources(context, context.imageStore()));
            root.err().println("rkj daemon: serving the metadata service on unix:" + endpoint.socket() + " and "
                    + MdsEndpoint.LOOPBACK + ":" + mds.port());
            return mds;
        } catch (CliException e) {
            root.err().println("rkj daemon: warning: not serving the metadata service: " + TerminalText.escape(e.getMessage()));
            return null;
        }
    }

    /** Prunes the journal now and every {@link #PRUNE_EVERY}, off the event loop; a failure is a warning, never fatal. */
    private void pruneNowAndHourly(Context context, Engine engine, dev.rkj.eventlog.Retention retention) {
        Runnable prune = () -> engine.vertx().executeBlocking(() -> dev.rkj.engine.snapshot.JournalRetention.prune(
                (dev.rkj.eventlog.ChronicleJournal) context.journal(), context.snapshots(), retention,
                java.time.Instant.now()), false).onComplete(ar -> root.err().println(ar.succeeded()
                ? (ar.result().files() == 0 ? "rkj daemon: journal retention: nothing to prune"
                        : "rkj daemon: journal retention: pruned " + ar.result().files() + " day files; the journal"
                                + " starts at index " + ar.result().firstIndex())
                : "rkj daemon: warning: journal retention failed: " + TerminalText.escape(ar.cause().getMessage())));
        prune.run();
        engine.vertx().setPeriodic(PRUNE_EVERY.toMillis(), id -> prune.run());
    }

    private Listen tcp() {
        if (tokenFile == null) {
            throw new CliException("--listen needs --token-file FILE: TCP clients must send a bearer token");
        }
        int colon = listen.lastIndexOf(':');
        String host = colon <= 0 ? "" : listen.substring(0, colon).replaceAll("^\\[|\\]$", "");
        int port;
        try {
            port = Integer.parseInt(listen.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (host.isEmpty() || port < 0 || port > 65535) {
            throw new CliException("--listen " + listen + " is not HOST:PORT: give e.g. 127.0.0.1:8347");
        }
        try {
            return new Listen.Tcp(host, port, BearerToken.read(tokenFile));
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), e);
        }
    }
}
