package dev.rkj.eventlog;

import java.util.Objects;

/**
 * An event's type on the wire: a stable name and a version, written {@code pod.created/1}.
 *
 * @param name    the wire name: letters, digits, '.', '_' and '-', starting with a letter or digit
 * @param version the payload shape's version, 1 or more
 */
public record WireType(String name, int version) {
    public WireType {
        Objects.requireNonNull(name, "wire name");
        if (!validName(name)) {
            throw new IllegalArgumentException("wire name '" + name + "' is not valid: use letters, digits, '.', '_'"
                    + " and '-' starting with a letter or digit, e.g. pod.created");
        }
        if (version < 1) {
            throw new IllegalArgumentException("wire type " + name + " has version " + version
                    + ": versions start at 1");
        }
    }

    /** {@code [A-Za-z0-9][A-Za-z0-9._-]*}, checked without a regex: replay checks every stored type. */
    private static boolean validName(String name) {
        if (name.isEmpty() || !letterOrDigit(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!letterOrDigit(c) && c != '.' && c != '_' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean letterOrDigit(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    /**
     * Parses {@code name/version}, e.g. {@code pod.created/1}.
     *
     * @throws IllegalArgumentException naming the text and the expected form
     */
    public static WireType parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("wire type is missing: write it as name/version, e.g. pod.created/1");
        }
        int slash = text.lastIndexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("wire type '" + text + "' has no version: write it as name/version,"
                    + " e.g. pod.created/1");
        }
        String versionText = text.substring(slash + 1);
        int version;
        try {
            version = Integer.parseInt(versionText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("wire type '" + text + "' has version '" + versionText
                    + "', which is not a whole number: write it as name/version, e.g. pod.created/1", e);
        }
        try {
            return new WireType(text.substring(0, slash), version);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("wire type '" + text + "' is not valid: " + e.getMessage(), e);
        }
    }

    /**
     * The wire type a class declares with {@link WireName}.
     *
     * @throws IllegalArgumentException if the class has no {@code @WireName}
     */
    public static WireType of(Class<?> recordType) {
        Objects.requireNonNull(recordType, "recordType");
        WireName wireName = recordType.getAnnotation(WireName.class);
        if (wireName == null) {
            throw new IllegalArgumentException(recordType.getName() + " has no @WireName: annotate it, e.g."
                    + " @WireName(value = \"pod.created\", version = 1), so the journal never stores class names");
        }
        try {
            return new WireType(wireName.value(), wireName.version());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("@WireName on " + recordType.getName() + " is not valid: "
                    + e.getMessage(), e);
        }
    }

    /** {@code name/version}, e.g. {@code pod.created/1}; {@link #parse} reads it back. */
    @Override
    public String toString() {
        return name + "/" + version;
    }
}
