package dev.rkj.api.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.EnumSet;

/**
 * The daemon's Vert.x: Netty's epoll transport, so that a unix socket connection can say who is at
 * its other end ({@link Caller}, {@code SO_PEERCRED}); and HTTP server metrics into the daemon's
 * registry ({@link DaemonMetrics}), labelled by route template, method and status, never by raw
 * path, so their number stays bounded whatever clients send.
 */
public final class DaemonVertx {
    private DaemonVertx() {
    }

    /**
     * A Vert.x for the daemon (the caller closes it, after the engine on it).
     *
     * @throws IllegalStateException if Netty's epoll transport cannot load on this host (it names why)
     */
    public static Vertx create(MeterRegistry registry) {
        return create(registry, null);
    }

    /**
     * {@link #create(MeterRegistry)}, whose unix server adopts {@code inherited}, the socket systemd
     * passed, instead of binding one (null: binds as usual).
     */
    public static Vertx create(MeterRegistry registry, SocketActivation.Inherited inherited) {
        if (!Transport.EPOLL.available()) {
            throw new IllegalStateException("the daemon needs Netty's epoll transport to know who connects to its"
                    + " socket, and it cannot load here: " + Transport.EPOLL.unavailabilityCause());
        }
        MicrometerMetricsOptions metrics = new MicrometerMetricsOptions().setEnabled(true)
                .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE));
        for (MetricsDomain domain : MetricsDomain.values()) {
            if (domain != MetricsDomain.HTTP_SERVER) {
                metrics.addDisabledMetricsCategory(domain);
            }
        }
        return Vertx.builder()
                .with(new VertxOptions().setPreferNativeTransport(true).setMetricsOptions(metrics))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .withTransport(inherited == null ? Transport.EPOLL : new InheritedSocketTransport(inherited))
                .build();
    }
}
