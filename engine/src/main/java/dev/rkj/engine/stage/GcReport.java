package dev.rkj.engine.stage;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one garbage collection did.
 *
 * @param marked  pods it marked garbage (expired prepared, aborted, exited long enough ago)
 * @param deleted pods whose resources it deleted
 * @param failed  pods it could not delete, with why (they stay garbage for the next gc)
 */
public record GcReport(List<String> marked, List<String> deleted, Map<String, String> failed) {
    public GcReport {
        marked = List.copyOf(marked);
        deleted = List.copyOf(deleted);
        failed = Collections.unmodifiableMap(new TreeMap<>(failed));
    }
}
