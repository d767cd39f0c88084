package dev.rkj.engine.appc;

import java.util.regex.Pattern;

/**
 * An AC Name (types.md): app, volume, mount point and port names.
 * As appc's reference code checks it ({@code schema/types/acname.go}): not empty, only lowercase
 * letters, digits and hyphens, beginning and ending with a letter or digit, e.g.
 * {@code reduce-worker} (or {@code a--b}, which types.md's regular expression would refuse).
 */
public record AcName(String value) implements Comparable<AcName> {
    private static final Pattern PATTERN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

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
        if (value == null || value.isEmpty()) {
            return "an AC Name is required (e.g. reduce-worker)";
        }
        if (PATTERN.matcher(value).matches()) {
            return null;
        }
        return Quote.of(value) + " is not a valid AC Name: use lowercase letters, digits and hyphens,"
                + " beginning and ending with a letter or digit (e.g. reduce-worker)";
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
