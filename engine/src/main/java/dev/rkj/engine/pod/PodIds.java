package dev.rkj.engine.pod;

import java.util.UUID;
import java.util.regex.Pattern;

/** Pod ids: canonical lowercase UUID strings, e.g. {@code 6f1c2a3b-0c4d-4e5f-8a9b-0c1d2e3f4a5b}. */
public final class PodIds {
    private static final Pattern CANONICAL =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private PodIds() {
    }

    /** A fresh random pod id. */
    public static String newId() {
        return UUID.randomUUID().toString();
    }

    /** Whether {@code id} is a full, canonical (lowercase, dashed) UUID. */
    public static boolean isValid(String id) {
        return id != null && CANONICAL.matcher(id).matches();
    }

    /**
     * Returns {@code id} if it is a full canonical pod id.
     *
     * @throws IllegalArgumentException naming the bad id and what to do
     */
    public static String requireValid(String id) {
        if (!isValid(id)) {
            throw new IllegalArgumentException("pod id \"" + id + "\" is not a full lowercase UUID"
                    + " (resolve a prefix with PodProjection.resolvePrefix first)");
        }
        return id;
    }
}
