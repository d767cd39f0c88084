package dev.rkj.api.http;

import dev.rkj.engine.Engine;
import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.eventlog.Envelope;
import dev.rkj.eventlog.Journal;
import dev.rkj.eventlog.JournalException;
import dev.rkj.eventlog.Tail;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The daemon's Prometheus metrics, served at {@code /metrics} (outside {@code /v1}, with the same
 * access rules as the API):
 * <ul>
 * <li>{@code rkj_pod_launch_seconds} (histogram): from a pod's launch request (for {@code rkj run},
 *     its creation, in the same append) to its start, both times as the journal recorded them; fed
 *     by a tail of the journal, so nothing is added to the launch path;</li>
 * <li>{@code rkj_pods{state}}: the pods {@code rkj list} shows, by state;</li>
 * <li>{@code rkj_journal_index}: the journal's last index;</li>
 * <li>{@code rkj_event_subscribers} and {@code rkj_event_subscriber_lag_max}: open
 *     {@code /v1/events} streams, and how many journal indexes the furthest behind has yet to read;</li>
 * <li>{@code vertx_http_server_*{route,method,code}}: API requests by route template and status
 *     (Vert.x's HTTP server metrics, see {@link DaemonVertx}).</li>
 * </ul>
 * Gauges are read when scraped, on a worker thread (the journal's head is a file read).
 */
public final class DaemonMetrics implements AutoCloseable {
    /** The Prometheus text format's media type. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Set<LongSupplier> subscribers = ConcurrentHashMap.newKeySet();
    private final Map<PodStatus, Long> pods = new EnumMap<>(PodStatus.class);
    private volatile long head = -1;
    private Tail launches;
    private Engine engine;
    private Journal journal;

    private DaemonMetrics() {
    }

    /** Metrics with nothing bound yet: build the daemon's Vert.x with {@link #vertx()}, then {@link #bind}. */
    public static DaemonMetrics create() {
        return new DaemonMetrics();
    }

    /** A Vert.x whose HTTP server reports into these metrics (see {@link DaemonVertx}). */
    public Vertx vertx() {
        return DaemonVertx.create(registry);
    }

    /** {@link #vertx()}, serving its unix socket on the one systemd passed ({@link SocketActivation}). */
    public Vertx vertx(SocketActivation.Inherited inherited) {
        return DaemonVertx.create(registry, inherited);
    }

    /** Starts measuring {@code engine} and {@code journal}: gauges, and a tail of the journal for launch latency. */
    synchronized void bind(Engine engine, Journal journal) {
        if (launches != null) {
            return;
        }
        for (PodStatus status : PodStatus.values()) {
            if (status.isListed()) {
                Gauge.builder("rkj_pods", this, m -> m.podsIn(status))
                        .description("pods rkj list shows, by state").tag("state", status.displayName())
                        .register(registry);
            }
        }
        Gauge.builder("rkj_journal_index", this, m -> m.head).description("the journal's last index")
                .register(registry);
        Gauge.builder("rkj_event_subscribers", subscribers, Set::size)
                .description("open /v1/events streams").register(registry);
        Gauge.builder("rkj_event_subscriber_lag_max", this, DaemonMetrics::maxLag)
                .description("journal indexes the furthest-behind /v1/events stream has yet to read").register(registry);
        Timer latency = Timer.builder("rkj_pod_launch")
                .description("pod launch requested (created, for rkj run) to started, by the journal's times")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(2)).register(registry);
        long from;
        try {
            from = journal.nextIndex();
        } catch (JournalException e) {
            throw new IllegalStateException("cannot read the journal's head for metrics: " + e.getMessage(), e);
        }
        launches = journal.tail(from, new LaunchLatency(latency));
        this.engine = engine;
        this.journal = journal;
    }

    /**
     * Counts one {@code /v1/events} stream while it is open; {@code cursor} is the last index it
     * has read (its position, dropped events included). Run the returned action when it ends (more
     * than once is harmless).
     */
    Runnable subscriber(LongSupplier cursor) {
        subscribers.add(cursor);
        return () -> subscribers.remove(cursor);
    }

    /** {@code GET /metrics}: reads the gauges on a worker, answers in Prometheus' text format. */
    void scrape(RoutingContext ctx) {
        ctx.vertx().executeBlocking(() -> {
            refresh();
            return registry.scrape();
        }, false).onSuccess(text -> ctx.response().putHeader("Content-Type", CONTENT_TYPE).end(text))
                .onFailure(ctx::fail);
    }

    /** The counts the gauges report, read once a scrape. */
    private synchronized void refresh() throws JournalException {
        if (engine == null) {
            return;
        }
        head = journal.nextIndex() - 1;
        pods.clear();
        for (PodState p : engine.list()) {
            pods.merge(p.status(), 1L, Long::sum);
        }
    }

    private synchronized double podsIn(PodStatus status) {
        return pods.getOrDefault(status, 0L);
    }

    private double maxLag() {
        long last = head;
        long lag = 0;
        for (LongSupplier cursor : subscribers) {
            lag = Math.max(lag, last - cursor.getAsLong());
        }
        return lag;
    }

    @Override
    public synchronized void close() {
        if (launches != null) {
            launches.close();
        }
        registry.close();
    }

    /**
     * Launch request to start, per pod, as the journal's tail sees them (on the tail's thread only).
     * A pod that fails, is lost or ends before it started is forgotten.
     */
    private static final class LaunchLatency implements java.util.function.Consumer<Envelope> {
        private final Timer latency;
        private final Map<String, Instant> requested = new HashMap<>();

        LaunchLatency(Timer latency) {
            this.latency = latency;
        }

        @Override
        public void accept(Envelope envelope) {
            if (!(envelope.event() instanceof PodEvent event)) {
                return;
            }
            PodEvent current = PodEvent.current(event);
            String pod = current.podId().toLowerCase(Locale.ROOT);
            if (current instanceof PodEvent.LaunchRequested) {
                requested.putIfAbsent(pod, envelope.time());
            } else if (current instanceof PodEvent.PodStarted) {
                Instant since = requested.remove(pod);
                if (since != null) {
                    latency.record(Duration.between(since, envelope.time()));
                }
            } else if (current instanceof PodEvent.StageFailed || current instanceof PodEvent.PodLost
                    || current instanceof PodEvent.PodExited || current instanceof PodEvent.PodDeleted) {
                requested.remove(pod);
            }
        }
    }
}
