package dev.rkj.engine.stage;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.concurrent.Callable;

/**
 * Runs a stage's blocking work on Vert.x's worker pool ({@link Vertx#executeBlocking}) and
 * completes the returned future <em>on that worker thread</em>, so whatever the stage verticle
 * chains on it (recording the outcome in the journal) runs there too, without first hopping back to
 * the verticle's event loop: one thread hand-off fewer per stage on the launch path. The future has
 * no context; callbacks chained on it must be thread-safe.
 */
final class Blocking {
    private Blocking() {
    }

    static <T> Future<T> run(Vertx vertx, Callable<T> work) {
        Promise<T> promise = Promise.promise();
        vertx.executeBlocking(() -> {
            try {
                promise.complete(work.call());
            } catch (Throwable t) {
                promise.fail(t);
            }
            return null;
        }, false);
        return promise.future();
    }
}
