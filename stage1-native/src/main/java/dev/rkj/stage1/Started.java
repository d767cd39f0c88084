package dev.rkj.stage1;

import java.util.Map;

/**
 * A pod whose apps have all been exec'd.
 *
 * @param stage1Pid rkj-stage1 (in the host PID namespace): holds the pod lock, relays signals
 * @param podPid the pod's PID 1, in the host PID namespace (also in {@code <podDir>/pid})
 * @param appPids each app's pid in the host PID namespace
 * @param nanoTime {@link System#nanoTime()} when the last app's start was reported
 */
public record Started(int stage1Pid, int podPid, Map<String, Integer> appPids, long nanoTime) {
    public Started {
        appPids = Map.copyOf(appPids);
    }
}
