package dev.rkj.engine.fakes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Counts a fake port's calls per pod, so tests can check that nothing ran twice. */
public final class CallLog {
    private final Map<String, List<String>> calls = new ConcurrentHashMap<>();
    private final Map<String, List<String>> threads = new ConcurrentHashMap<>();

    synchronized void add(String podId, String what) {
        calls.computeIfAbsent(podId, id -> new CopyOnWriteArrayList<>()).add(what);
        threads.computeIfAbsent(podId, id -> new CopyOnWriteArrayList<>()).add(Thread.currentThread().getName());
    }

    /** The thread each call for {@code podId} ran on, in the order of {@link #of}. */
    public synchronized List<String> threadsOf(String podId) {
        return new ArrayList<>(threads.getOrDefault(podId, List.of()));
    }

    /** How many times {@code what} was called for {@code podId}. */
    public int count(String podId, String what) {
        return (int) calls.getOrDefault(podId, List.of()).stream().filter(what::equals).count();
    }

    /** Every call for {@code podId}, in order. */
    public synchronized List<String> of(String podId) {
        return new ArrayList<>(calls.getOrDefault(podId, List.of()));
    }

    /** Every call, for every pod. */
    public int total(String what) {
        return calls.values().stream().mapToInt(l -> (int) l.stream().filter(what::equals).count()).sum();
    }
}
