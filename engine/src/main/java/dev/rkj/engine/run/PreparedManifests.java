package dev.rkj.engine.run;

import dev.rkj.engine.appc.PodManifest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pod manifests this process has just prepared, handed to its runner so that {@code rkj run}
 * does not read and validate again the manifest it wrote a moment ago (about a millisecond on the
 * launch path). Keyed by pod and digest: a manifest is used only if it is the one the journal
 * recorded. Each is taken once; a pod prepared by another process is read from its directory.
 */
public final class PreparedManifests {
    private final Map<String, Entry> byPod = new ConcurrentHashMap<>();

    void put(String podId, String digest, PodManifest manifest) {
        byPod.put(podId, new Entry(digest, manifest));
    }

    /** The manifest prepared for {@code podId} with {@code digest}, or null; forgets it either way. */
    PodManifest take(String podId, String digest) {
        Entry e = byPod.remove(podId);
        return e != null && e.digest.equals(digest) ? e.manifest : null;
    }

    private record Entry(String digest, PodManifest manifest) {
    }
}
