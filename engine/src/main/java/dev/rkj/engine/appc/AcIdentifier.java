package dev.rkj.engine.appc;

import java.util.regex.Pattern;

/**
 * An AC Identifier (types.md): image names, label, annotation and isolator names.
 * Lowercase letters and digits, separated by single {@code - . _ ~ /}, e.g. {@code example.com/app}.
 */
public record AcIdentifier(String value) implements Comparable<AcIdentifier> {
    private static final Pattern PATTERN = Pattern.compile("[a-z0-9]+([-._~/][a-z0-9]+)*");

    /** @throws IllegalArgumentException naming the value when it is not an AC Identifier */
    public AcIdentifier {
        String problem = problem(value);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Parses {@code value}; the exception message says what is wrong. */
    public static AcIdentifier parse(String value) {
        return new AcIdentifier(value);
    }

    public static boolean isValid(String value) {
        return problem(value) == null;
    }

    static String problem(String value) {
        if (value == null) {
            return "an AC Identifier is required";
        }
        if (PATTERN.matcher(value).matches()) {
            return null;
        }
        return Quote.of(value) + " is not a valid AC Identifier: use lowercase letters and digits,"
                + " separated by single - . _ ~ or / (e.g. example.com/app)";
    }

    @Override
    public int compareTo(AcIdentifier other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
