package dev.rkj.eventlog;

import java.util.List;
import java.util.stream.Collectors;

/** Finds the journal's tail threads still alive in this JVM. */
final class Threads {
    private Threads() {}

    static List<Thread> liveTailThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("rkj-journal-tail-") && t.isAlive())
                .collect(Collectors.toList());
    }
}
