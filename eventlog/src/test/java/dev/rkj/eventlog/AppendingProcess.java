package dev.rkj.eventlog;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A child JVM for the multi-process tests: opens the journal in {@code args[0]}, prints
 * {@code ready}, waits for {@code go} on stdin, appends {@code args[2]} notes tagged
 * {@code args[1]} (aggregate {@code agg-<tag>}), prints {@code done} and exits.
 * Nothing else may reach stdout: the test checks it.
 */
public final class AppendingProcess {
    private AppendingProcess() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String tag = args[1];
        int count = Integer.parseInt(args[2]);
        try (Journal journal = ChronicleJournal.open(dir, TestEvents.registry())) {
            System.out.println("ready");
            System.out.flush();
            BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String go = stdin.readLine();
            if (!"go".equals(go)) {
                throw new IllegalStateException("expected 'go' on stdin, got " + go);
            }
            for (int i = 0; i < count; i++) {
                journal.append("agg-" + tag, TestEvents.note(tag, i));
            }
        }
        System.out.println("done");
        System.out.flush();
    }
}
