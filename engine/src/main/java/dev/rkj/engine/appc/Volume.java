package dev.rkj.engine.appc;

import java.util.Optional;

/**
 * A pod volume (pods.md "volumes"): an {@code empty} directory living as long as the pod, or a
 * {@code host} directory bind-mounted from {@code source}. {@code recursive} only matters for host
 * volumes (default true); {@code mode}, {@code uid} and {@code gid} only for empty ones
 * (defaults 0755, 0, 0).
 */
public record Volume(AcName name, Kind kind, Optional<String> source, boolean readOnly, boolean recursive,
                     int mode, long uid, long gid) {
    public static final int DEFAULT_MODE = 0755;

    /** The volume kinds of the spec, with their wire names. */
    public enum Kind {
        EMPTY("empty"), HOST("host");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Optional<Kind> byWireName(String name) {
            for (Kind k : values()) {
                if (k.wireName.equals(name)) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }
    }

    public Volume {
        if (name == null || kind == null || source == null) {
            throw new IllegalArgumentException("a volume needs a name and a kind (empty or host)");
        }
        if (kind == Kind.HOST && source.isEmpty()) {
            throw new IllegalArgumentException("host volume " + name
                    + " needs a source: the absolute host path to bind");
        }
        source.ifPresent(Paths::requireAbsolute);
        if (mode < 0 || mode > 07777) {
            throw new IllegalArgumentException("volume mode " + Integer.toOctalString(mode)
                    + " is out of range: use 0000 to 7777");
        }
        for (long id : new long[] {uid, gid}) {
            if (App.idProblem(id) != null) {
                throw new IllegalArgumentException("volume " + name + " uid/gid " + App.idProblem(id));
            }
        }
    }

    /** A host directory bound into the apps; recursive, as the spec suggests by default. */
    public static Volume host(String name, String source, boolean readOnly) {
        return new Volume(AcName.parse(name), Kind.HOST, Optional.of(source), readOnly, true, DEFAULT_MODE, 0, 0);
    }

    /** An empty directory owned by root with mode 0755. */
    public static Volume empty(String name) {
        return new Volume(AcName.parse(name), Kind.EMPTY, Optional.empty(), false, true, DEFAULT_MODE, 0, 0);
    }

    /** Parses an octal mode such as {@code 0755}; the exception says what is wrong. */
    static int parseMode(String text) {
        if (text == null || !text.matches("[0-7]{1,5}") || Integer.parseInt(text, 8) > 07777) {
            throw new IllegalArgumentException(Quote.of(text) + " is not a file mode: use octal digits, e.g. 0755");
        }
        return Integer.parseInt(text, 8);
    }

    /** The mode as the spec writes it, e.g. {@code 0755}. */
    static String formatMode(int mode) {
        return String.format("%04o", mode);
    }
}
