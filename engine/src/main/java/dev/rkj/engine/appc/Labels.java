package dev.rkj.engine.appc;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Image labels (aci.md): an ordered map of AC Identifier names to string values, with the
 * well-known {@code os}, {@code arch} and {@code version}. Names are unique and never {@code name};
 * when both {@code os} and {@code arch} are present they form a {@link OsArch#VALID} pair.
 * Equality ignores order.
 */
public final class Labels {
    public static final String OS = "os";
    public static final String ARCH = "arch";
    public static final String VERSION = "version";
    public static final Labels EMPTY = new Labels(Map.of());

    private final Map<String, String> map;

    private Labels(Map<String, String> map) {
        this.map = map;
    }

    /** Validated labels, in the iteration order of {@code labels}. */
    public static Labels of(Map<String, String> labels) {
        Map<String, String> copy = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        copy.forEach((name, value) -> {
            String problem = nameProblem(name);
            if (problem == null && value == null) {
                problem = "label " + Quote.of(name) + " has no value";
            }
            if (problem == null) {
                problem = valueProblem(name, value, copy);
            }
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        });
        return copy.isEmpty() ? EMPTY : new Labels(copy);
    }

    /** Labels from alternating names and values: {@code Labels.of("os", "linux", "arch", "amd64")}. */
    public static Labels of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name/value pairs");
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (m.put(namesAndValues[i], namesAndValues[i + 1]) != null) {
                throw new IllegalArgumentException("duplicate label " + Quote.of(namesAndValues[i]));
            }
        }
        return of(m);
    }

    /** Why {@code name} cannot be a label name, or null. */
    static String nameProblem(String name) {
        String problem = AcIdentifier.problem(name);
        if (problem == null && name.equals("name")) {
            problem = "\"name\" cannot be a label name: the image name is the manifest's name field";
        }
        return problem;
    }

    /** Why {@code value} cannot be the value of label {@code name} among {@code all}, or null. */
    static String valueProblem(String name, String value, Map<String, String> all) {
        switch (name) {
            case OS -> {
                if (!OsArch.isKnownOs(value)) {
                    return "os " + Quote.of(value) + " is not supported: use one of " + OsArch.knownOses();
                }
            }
            case ARCH -> {
                String os = all.get(OS);
                if (os != null && OsArch.isKnownOs(os) && !new OsArch(os, value).isValid()) {
                    return "arch " + Quote.of(value) + " is not valid for os " + Quote.of(os) + ": use one of "
                            + OsArch.archesFor(os);
                }
            }
            case VERSION -> {
                if (value.isEmpty()) {
                    return "the version label must not be empty: omit it, or give a version such as 1.0.0";
                }
            }
            default -> {
                return null;
            }
        }
        return null;
    }

    public Optional<String> get(String name) {
        return Optional.ofNullable(map.get(name));
    }

    public Optional<String> os() {
        return get(OS);
    }

    public Optional<String> arch() {
        return get(ARCH);
    }

    public Optional<String> version() {
        return get(VERSION);
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
        return o instanceof Labels other && map.equals(other.map);
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
