package dev.rkj.engine.store;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Combines {@code pathWhitelist}s. A path survives a whitelist when it is listed or leads to a
 * listed path (its directories); a listed directory keeps only what is listed below it. ace.md:
 * a file extracted from an image is filtered by the whitelist of the image itself and of every
 * image depending on it, so a layer keeps the intersection of those whitelists. An empty
 * whitelist, or one listing "/", keeps everything.
 */
final class Whitelists {
    private Whitelists() {}

    /**
     * The paths (absolute, with their leading directories) that all {@code whitelists} keep, or
     * empty when none restricts anything.
     */
    static Optional<Set<String>> intersect(List<List<String>> whitelists) {
        Set<String> result = null;
        for (List<String> whitelist : whitelists) {
            Optional<Set<String>> kept = closure(whitelist);
            if (kept.isEmpty()) {
                continue;
            }
            if (result == null) {
                result = new TreeSet<>(kept.get());
            } else {
                result.retainAll(kept.get());
            }
        }
        if (result == null) {
            return Optional.empty();
        }
        Set<String> absolute = new TreeSet<>();
        result.forEach(p -> absolute.add("/" + p));
        return Optional.of(absolute);
    }

    /** Relative paths listed and their leading directories; empty when the whitelist keeps everything. */
    private static Optional<Set<String>> closure(List<String> whitelist) {
        Set<String> kept = new HashSet<>();
        for (String path : whitelist) {
            List<String> components = new ArrayList<>();
            for (String component : path.split("/")) {
                if (component.equals("..")) {
                    if (!components.isEmpty()) {
                        components.remove(components.size() - 1); // lexically, as the app sees "/a/../b"
                    }
                } else if (!component.isEmpty() && !component.equals(".")) {
                    components.add(component);
                }
            }
            if (components.isEmpty()) {
                return Optional.empty(); // "/" keeps everything
            }
            for (int i = 1; i <= components.size(); i++) {
                kept.add(String.join("/", components.subList(0, i)));
            }
        }
        return kept.isEmpty() ? Optional.empty() : Optional.of(kept);
    }
}
