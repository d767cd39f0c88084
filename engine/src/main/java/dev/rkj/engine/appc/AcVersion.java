package dev.rkj.engine.appc;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SemVer 2.0.0 version (types.md "AC Version Type"): the {@code acVersion} of manifests and,
 * where it parses, the {@code version} label of images.
 *
 * <p>{@link #compareTo} is SemVer precedence: build metadata is ignored, so two versions that
 * differ only in build metadata compare as 0 while not being {@link #equals}.
 */
public record AcVersion(long major, long minor, long patch, List<String> preRelease, List<String> build)
        implements Comparable<AcVersion> {

    private static final String NUMERIC = "0|[1-9][0-9]*";
    private static final String PRE_ID = NUMERIC + "|[0-9]*[A-Za-z-][0-9A-Za-z-]*";
    private static final Pattern SEMVER = Pattern.compile(
            "(" + NUMERIC + ")\\.(" + NUMERIC + ")\\.(" + NUMERIC + ")"
                    + "(?:-((?:" + PRE_ID + ")(?:\\.(?:" + PRE_ID + "))*))?"
                    + "(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?");
    private static final Pattern PRE_RELEASE_ID = Pattern.compile(PRE_ID);
    private static final Pattern BUILD_ID = Pattern.compile("[0-9A-Za-z-]+");
    private static final Pattern ALL_DIGITS = Pattern.compile("[0-9]+");

    /** The appc spec version rkj implements; manifests may not declare a newer one. */
    public static final AcVersion SUPPORTED = parse("0.8.11");

    /** @throws IllegalArgumentException when a component is negative or an identifier is malformed */
    public AcVersion {
        if (major < 0 || minor < 0 || patch < 0) {
            throw new IllegalArgumentException("version numbers must not be negative: "
                    + major + "." + minor + "." + patch);
        }
        preRelease = List.copyOf(preRelease);
        build = List.copyOf(build);
        for (String id : preRelease) {
            if (!PRE_RELEASE_ID.matcher(id).matches()) {
                throw new IllegalArgumentException(Quote.of(id) + " is not a valid SemVer pre-release identifier");
            }
        }
        for (String id : build) {
            if (!BUILD_ID.matcher(id).matches()) {
                throw new IllegalArgumentException(Quote.of(id) + " is not a valid SemVer build identifier");
            }
        }
    }

    /** Parses {@code MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]}. */
    public static AcVersion parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("a version is required");
        }
        Matcher m = SEMVER.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException(Quote.of(text)
                    + " is not a SemVer 2.0.0 version: use MAJOR.MINOR.PATCH, e.g. 1.0.0 or 2.1.0-rc.1");
        }
        try {
            return new AcVersion(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                    m.group(4) == null ? List.of() : List.of(m.group(4).split("\\.")),
                    m.group(5) == null ? List.of() : List.of(m.group(5).split("\\.")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(Quote.of(text) + " has a version number too large to handle", e);
        }
    }

    /** The version, or empty when {@code text} is not SemVer (e.g. the label value {@code latest}). */
    public static Optional<AcVersion> tryParse(String text) {
        try {
            return Optional.of(parse(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public boolean isPreRelease() {
        return !preRelease.isEmpty();
    }

    @Override
    public int compareTo(AcVersion o) {
        int c = Long.compare(major, o.major);
        if (c == 0) {
            c = Long.compare(minor, o.minor);
        }
        if (c == 0) {
            c = Long.compare(patch, o.patch);
        }
        if (c != 0) {
            return c;
        }
        if (preRelease.isEmpty() || o.preRelease.isEmpty()) {
            // A version without pre-release identifiers ranks above one with them.
            return Boolean.compare(preRelease.isEmpty(), o.preRelease.isEmpty());
        }
        for (int i = 0; i < Math.min(preRelease.size(), o.preRelease.size()); i++) {
            c = compareIdentifiers(preRelease.get(i), o.preRelease.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(preRelease.size(), o.preRelease.size());
    }

    private static int compareIdentifiers(String a, String b) {
        boolean aNumeric = ALL_DIGITS.matcher(a).matches();
        boolean bNumeric = ALL_DIGITS.matcher(b).matches();
        if (aNumeric && bNumeric) {
            // No leading zeros, so a longer number is a larger one; no overflow for huge identifiers.
            return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
        }
        if (aNumeric != bNumeric) {
            return aNumeric ? -1 : 1;
        }
        return a.compareTo(b);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder().append(major).append('.').append(minor).append('.').append(patch);
        if (!preRelease.isEmpty()) {
            s.append('-').append(String.join(".", preRelease));
        }
        if (!build.isEmpty()) {
            s.append('+').append(String.join(".", build));
        }
        return s.toString();
    }
}
