package dev.rkj.engine.pod;

/**
 * Where a pod's image came from when it was resolved. The constant names are part of the
 * journal's wire format: never rename them.
 */
public enum ImageSource {
    /** Already in the local image store. */
    STORE,
    /** Fetched (downloaded or imported) for this pod. */
    FETCHED;

    /** How {@code rkj journal show} words it. */
    public String displayName() {
        return this == STORE ? "from the store" : "fetched";
    }
}
