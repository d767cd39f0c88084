package dev.rkj.engine.appc;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Finds repeated keys in a list, reporting each repeat with the index of the first occurrence. */
final class Duplicates {
    interface Sink {
        void duplicate(int index, int firstIndex);
    }

    private Duplicates() {
    }

    static <T, K> void find(List<T> items, Function<T, K> key, Sink sink) {
        Map<K, Integer> first = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            T item = items.get(i);
            K k = item == null ? null : key.apply(item);
            if (k == null) {
                continue;
            }
            Integer previous = first.putIfAbsent(k, i);
            if (previous != null) {
                sink.duplicate(i, previous);
            }
        }
    }

    /** Throws on the first repeated key: "duplicate {what} {key}". */
    static <T, K> void reject(List<T> items, Function<T, K> key, String what) {
        find(items, key, (i, first) -> {
            String repeated = String.valueOf(key.apply(items.get(i)));
            throw new IllegalArgumentException("duplicate " + what + " " + Quote.of(repeated));
        });
    }
}
