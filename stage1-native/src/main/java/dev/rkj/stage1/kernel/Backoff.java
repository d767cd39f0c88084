package dev.rkj.stage1.kernel;

/** How long to wait before retrying a call the kernel refused for now (EBUSY). */
@FunctionalInterface
public interface Backoff {
    /** Waits before retry number {@code attempt} (1 for the first retry). */
    void pause(int attempt) throws InterruptedException;

    /** 5 ms, doubling up to 200 ms. */
    static Backoff exponential() {
        return attempt -> Thread.sleep(Math.min(200, 5L << Math.min(attempt - 1, 6)));
    }

    /** No wait (for tests). */
    static Backoff none() {
        return attempt -> { };
    }
}
