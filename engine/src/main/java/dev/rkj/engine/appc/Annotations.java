package dev.rkj.engine.appc;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Annotations (aci.md, pods.md): an ordered map of unique AC Identifier names to string values.
 * Pod and pod-app annotation names are further restricted to AC Names, which the codec checks.
 * Equality ignores order.
 */
public final class Annotations {
    public static final Annotations EMPTY = new Annotations(Map.of());

    private final Map<String, String> map;

    private Annotations(Map<String, String> map) {
        this.map = map;
    }

    /** Validated annotations, in the iteration order of {@code annotations}. */
    public static Annotations of(Map<String, String> annotations) {
        Map<String, String> copy = Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
        copy.forEach((name, value) -> {
            String problem = AcIdentifier.problem(name);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            if (value == null) {
                throw new IllegalArgumentException("annotation " + Quote.of(name) + " has no value");
            }
        });
        return copy.isEmpty() ? EMPTY : new Annotations(copy);
    }

    public Optional<String> get(String name) {
        return Optional.ofNullable(map.get(name));
    }

    /** Unmodifiable, in declaration order. */
    public Map<String, String> asMap() {
        return map;
    }

    public boolean isEmpty() {
        return map.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Annotations other && map.equals(other.map);
    }

    @Override
    public int hashCode() {
        return map.hashCode();
    }

    @Override
    public String toString() {
        return map.toString();
    }
}
