package dev.rkj.engine.appc;

import java.util.regex.Pattern;

/**
 * An AC Name (types.md): app, volume, mount point and port names.
 * Lowercase letters and digits separated by single hyphens, e.g. {@code reduce-worker}.
 */
public record AcName(String value) implements Comparable<AcName> {
    private static final Pattern PATTERN = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    /** @throws IllegalArgumentException naming the value when it is not an AC Name */
    public AcName {
        String problem = problem(value);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Parses {@code value}; the exception message says what is wrong. */
    public static AcName parse(String value) {
        return new AcName(value);
    }

    public static boolean isValid(String value) {
        return problem(value) == null;
    }

    static String problem(String value) {
        if (value == null) {
            return "an AC Name is required";
        }
        if (PATTERN.matcher(value).matches()) {
            return null;
        }
        return Quote.of(value) + " is not a valid AC Name: use lowercase letters and digits,"
                + " separated by single hyphens (e.g. reduce-worker)";
    }

    @Override
    public int compareTo(AcName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
