package dev.rkj.engine.appc;

import java.util.regex.Pattern;

/**
 * An AC Identifier (types.md): image names, label, annotation and isolator names, e.g.
 * {@code example.com/app} or {@code example.com/~user/app_v1}. As appc's reference code checks it
 * ({@code schema/types/acidentifier.go}): not empty, only lowercase letters, digits and
 * {@code - . _ ~ /}, beginning and ending with a letter or digit. (types.md's regular expression
 * would refuse its own example {@code example.com/~user/app_v1}; the reference code, which rkt
 * used, accepts it.)
 */
public record AcIdentifier(String value) implements Comparable<AcIdentifier> {
    private static final Pattern CHARACTERS = Pattern.compile("[-._~/a-z0-9]+");
    private static final Pattern EDGES = Pattern.compile("[a-z0-9](.*[a-z0-9])?", Pattern.DOTALL);

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
        if (value == null || value.isEmpty()) {
            return "an AC Identifier is required (e.g. example.com/app)";
        }
        if (!CHARACTERS.matcher(value).matches()) {
            return Quote.of(value) + " is not a valid AC Identifier: use only lowercase letters, digits"
                    + " and - . _ ~ / (e.g. example.com/~user/app_v1)";
        }
        if (!EDGES.matcher(value).matches()) {
            return Quote.of(value) + " is not a valid AC Identifier: it must begin and end with a lowercase"
                    + " letter or digit (e.g. example.com/app)";
        }
        return null;
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
