package dev.rkj.engine.stage;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.concurrent.Callable;

/**
 * Runs a stage's blocking work on Vert.x's worker pool and completes the returned future back on
 * the calling context: called from a stage verticle's context (its {@link StageVerticle#work}),
 * whatever the verticle chains on the future runs on that context too, so the verticle's
 * bookkeeping needs no locks and no concurrent maps.
 */
final class Blocking {
    private Blocking() {
    }

    /** Must be called on the verticle's context; the future completes there. */
    static <T> Future<T> run(Vertx vertx, Callable<T> work) {
        return vertx.getOrCreateContext().executeBlocking(work, false);
    }
}
