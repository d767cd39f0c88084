package dev.rkj.engine.trust;

import java.util.List;
import java.util.Objects;

/**
 * A key the user trusts.
 *
 * @param fingerprint its primary key's fingerprint, lowercase hex
 * @param prefix      the image name prefix it is trusted for, or {@code null} for a root key (every image)
 * @param userIds     its user ids, as the key states them
 * @param system      whether it is in the system configuration directory (read-only to rkj) rather than the data directory
 */
public record TrustedKey(String fingerprint, String prefix, List<String> userIds, boolean system) {
    public TrustedKey {
        Objects.requireNonNull(fingerprint, "fingerprint");
        userIds = List.copyOf(userIds);
    }

    /** Whether it is trusted for every image. */
    public boolean root() {
        return prefix == null;
    }

    /** {@code prefix example.com/app} or {@code root}, as messages and listings say it. */
    public String scope() {
        return root() ? "root" : "prefix " + prefix;
    }
}
