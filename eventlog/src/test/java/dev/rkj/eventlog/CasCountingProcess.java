package dev.rkj.eventlog;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A child JVM for the multi-process tests: opens the journal in {@code args[0]}, prints
 * {@code ready}, waits for {@code go} on stdin, takes {@code args[2]} values of the
 * {@link CasCounter} tagged {@code args[1]}, prints {@code done <conflicts>} and exits.
 */
public final class CasCountingProcess {
    private CasCountingProcess() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[2]);
        int conflicts;
        try (Journal journal = ChronicleJournal.open(dir, TestEvents.registry())) {
            System.out.println("ready");
            System.out.flush();
            BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String go = stdin.readLine();
            if (!"go".equals(go)) {
                throw new IllegalStateException("expected 'go' on stdin, got " + go);
            }
            CasCounter counter = new CasCounter(journal, args[1]);
            for (int i = 0; i < count; i++) {
                counter.increment();
            }
            conflicts = counter.conflicts();
        }
        System.out.println("done " + conflicts);
        System.out.flush();
    }
}
