package dev.rkj.api.cli;

import dev.rkj.api.mds.MetadataService;
import dev.rkj.engine.Engine;
import dev.rkj.engine.EngineException;
import dev.rkj.engine.appc.ImageId;
import dev.rkj.engine.mds.MdsEndpoint;
import dev.rkj.engine.mds.MdsKey;
import dev.rkj.engine.mds.MdsRegistry;
import dev.rkj.engine.run.Stage1Host;
import dev.rkj.engine.store.ImageStore;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code rkj metadata-service} (rkt's): serves the appc metadata service to the registered pods of
 * the data directory until SIGTERM or SIGINT, on a unix socket (pods with a private network reach
 * it through their stage1) and on a TCP port of 127.0.0.1 (pods of the host's network). It keeps
 * no state: stopping and starting it again, or running it instead of the daemon's, loses nothing.
 */
@Command(name = "metadata-service", mixinStandardHelpOptions = true,
        description = "Serve the appc metadata service (AC_METADATA_URL) to the pods registered with --mds-register.",
        footer = {"", "Pods reach it at http://127.0.0.1:PORT/TOKEN whatever their network: --net=host",
            "pods on the host's loopback, other pods through their stage1, which relays",
            "127.0.0.1:PORT in the pod to the socket. Pods are told the socket and port of",
            "$RKJ_MDS_SOCKET and $RKJ_MDS_PORT when they start: give the service the same.",
            "rkj daemon serves it too.", "", "Examples:",
            "  rkj metadata-service                # /run/rkj/mds.sock and 127.0.0.1:18112",
            "  rkj metadata-service --port 18113 --socket /run/rkj/mds2.sock"})
final class MetadataServiceCommand implements Callable<Integer> {
    private static final Duration START_LIMIT = Duration.ofMinutes(1);

    @ParentCommand
    RkjCommand root;

    @Option(names = "--socket", paramLabel = "PATH",
            description = "the unix socket to serve on (default: $RKJ_MDS_SOCKET, else " + "/run/rkj/mds.sock" + ")")
    Path socket;

    @Option(names = "--port", paramLabel = "PORT",
            description = "the TCP port to serve on, on 127.0.0.1 only (default: $RKJ_MDS_PORT, else 18112)")
    Integer port;

    @Override
    public Integer call() throws Exception {
        MdsEndpoint named = root.mdsEndpoint();
        MdsEndpoint endpoint;
        try {
            endpoint = new MdsEndpoint(socket != null ? socket.toAbsolutePath() : named.socket(),
                    port != null ? port : named.port());
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), e);
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onTermination(stop::countDown);
        Context context = root.context();
        MetadataService.Sources sources;
        try {
            sources = sources(context, context.imageStore()); // follows the journal, made if there is none yet
        } catch (dev.rkj.eventlog.JournalException | dev.rkj.engine.store.ImageStoreException e) {
            throw new CliException(e.getMessage(), e);
        }
        Vertx vertx = vertx();
        try {
            MetadataService service = serve(vertx, endpoint, sources);
            root.err().println("rkj metadata-service: serving the metadata of pods of " + context.dataDir() + " on unix:"
                    + endpoint.socket() + " and " + MdsEndpoint.LOOPBACK + ":" + service.port());
            stop.await();
            Engine.await(service.shutdown(), START_LIMIT);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
        return ExitCodes.OK;
    }

    /** The data of the pods of {@code context}'s data directory, their images in {@code images}. */
    static MetadataService.Sources sources(Context context, ImageStore images) {
        try {
            return new MetadataService.Sources(new MdsRegistry(context.dataDir().resolve(Stage1Host.PODS)),
                    MdsKey.open(context.dataDir()), id -> images.get(ImageId.parse(id)).manifestJson());
        } catch (IOException e) {
            throw new CliException("cannot open the metadata service's key: " + e.getMessage(), e);
        }
    }

    /**
     * Starts the service on {@code endpoint}.
     *
     * @throws CliException naming the address that cannot be served
     */
    static MetadataService serve(Vertx vertx, MdsEndpoint endpoint, MetadataService.Sources sources) {
        try {
            return Engine.await(MetadataService.start(vertx, endpoint.socket(), endpoint.port(), sources), START_LIMIT);
        } catch (EngineException e) {
            throw new CliException(e.getMessage(), e);
        }
    }

    private static Vertx vertx() {
        if (!Transport.EPOLL.available()) {
            throw new CliException("the metadata service needs Netty's epoll transport for its unix socket, and it"
                    + " cannot load here: " + Transport.EPOLL.unavailabilityCause());
        }
        return Vertx.builder().with(new VertxOptions().setPreferNativeTransport(true)).withTransport(Transport.EPOLL).build();
    }
}
