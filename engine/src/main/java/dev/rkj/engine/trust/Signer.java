package dev.rkj.engine.trust;

import java.util.Objects;

/**
 * Who signed an image, as a verification found it.
 *
 * @param fingerprint the trusted (primary) key's fingerprint, lowercase hex
 * @param prefix      the prefix that key is trusted for, or {@code null} for a root key
 */
public record Signer(String fingerprint, String prefix) {
    public Signer {
        Objects.requireNonNull(fingerprint, "fingerprint");
    }

    /** {@code signed by key <fpr>, trusted for prefix <p>} (or {@code as a root key}). */
    public String describe() {
        return "signed by key " + fingerprint + ", trusted " + (prefix == null ? "as a root key" : "for prefix " + prefix);
    }
}
