package dev.rkj.engine;

import dev.rkj.engine.recovery.Liveness;
import dev.rkj.engine.stage.CrashPoint;
import dev.rkj.eventlog.Journal;
import io.vertx.core.Vertx;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.UUID;

/**
 * How to start an {@link Engine}.
 *
 * @param dataDir      the data directory ({@code /var/lib/rkj}): journal, engine locks, pods
 * @param engineId     this engine instance's id; fresh for every daemon start or CLI run
 * @param vertx        the Vert.x to deploy on, or null for one of the engine's own (closed with it)
 * @param journal      the journal, or null to open the Chronicle journal in
 *                     {@code <dataDir>/journal} (closed with the engine); a given one is not closed
 * @param ports        the stages' collaborators
 * @param liveness     how engines tell each other alive, or null for the engine locks in
 *                     {@code <dataDir>/engines/}
 * @param watchOrphans adopt and watch running pods whose engine died (a daemon, {@code rkj run});
 *                     off, a running orphan is only recorded once its stage1 is gone (a CLI that
 *                     only looks)
 * @param clock        the clock gc measures ages with
 * @param crashAt      tests only: the point at which the engine halts its JVM as {@code kill -9}
 *                     would ({@link CrashPoint}); null (always, outside tests) for none
 * @param snapshots    start from the newest projection snapshot in {@code <dataDir>/snapshots} and
 *                     take new ones (every {@code Snapshots.EVERY} envelopes, and at shutdown);
 *                     by default on when the engine opens the journal of {@code dataDir} itself
 */
public record EngineConfig(Path dataDir, String engineId, Vertx vertx, Journal journal, EnginePorts ports,
                           Liveness liveness, boolean watchOrphans, Clock clock, CrashPoint crashAt,
                           boolean snapshots) {
    public EngineConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        if (engineId == null || !engineId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new IllegalArgumentException("engine id \"" + engineId
                    + "\" is not valid: use 1-128 letters, digits, '.', '_' and '-' (it names a lock file)");
        }
        Objects.requireNonNull(ports, "ports");
        clock = clock == null ? Clock.systemUTC() : clock;
    }

    /** A builder with a fresh engine id, watching orphans, the system clock. */
    public static Builder builder(Path dataDir, EnginePorts ports) {
        return new Builder(dataDir, ports);
    }

    /** A fresh engine id. */
    public static String newEngineId() {
        return UUID.randomUUID().toString();
    }

    /** Builds an {@link EngineConfig}. */
    public static final class Builder {
        private final Path dataDir;
        private final EnginePorts ports;
        private String engineId = newEngineId();
        private Vertx vertx;
        private Journal journal;
        private Liveness liveness;
        private boolean watchOrphans = true;
        private Clock clock = Clock.systemUTC();
        private CrashPoint crashAt;
        private Boolean snapshots;

        private Builder(Path dataDir, EnginePorts ports) {
            this.dataDir = dataDir;
            this.ports = ports;
        }

        public Builder engineId(String id) {
            this.engineId = id;
            return this;
        }

        public Builder vertx(Vertx v) {
            this.vertx = v;
            return this;
        }

        public Builder journal(Journal j) {
            this.journal = j;
            return this;
        }

        public Builder liveness(Liveness l) {
            this.liveness = l;
            return this;
        }

        public Builder watchOrphans(boolean watch) {
            this.watchOrphans = watch;
            return this;
        }

        public Builder clock(Clock c) {
            this.clock = c;
            return this;
        }

        /** Tests only: halt the JVM at {@code point} (null for never). */
        public Builder crashAt(CrashPoint point) {
            this.crashAt = point;
            return this;
        }

        /** Whether to load and take projection snapshots in the data directory (see {@link EngineConfig#snapshots()}). */
        public Builder snapshots(boolean on) {
            this.snapshots = on;
            return this;
        }

        public EngineConfig build() {
            return new EngineConfig(dataDir, engineId, vertx, journal, ports, liveness, watchOrphans, clock, crashAt,
                    snapshots != null ? snapshots : journal == null);
        }
    }
}
