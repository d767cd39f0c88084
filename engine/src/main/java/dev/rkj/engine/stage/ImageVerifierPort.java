package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodSpec;

import java.util.Objects;

/**
 * The verify stage's port: checks the signature of a resolved image against the trust store, or
 * records that the user chose to skip the check ({@code --insecure-options=image}).
 *
 * <p>Called on a worker thread; may block. Must be idempotent.
 */
public interface ImageVerifierPort {

    /**
     * Verifies image {@code imageId} (named {@code imageName}) for pod {@code podId}.
     *
     * @return verified, with the signer; or not verified, with why that is allowed (only when
     *         {@code spec} allows {@link PodSpec.InsecureOption#IMAGE})
     * @throws StageException if the image has no trusted signature and the spec does not allow
     *                        skipping the check
     */
    Verification verify(String podId, PodSpec spec, String imageId, String imageName) throws StageException;

    /**
     * Why {@link #verify} will refuse every image for {@code spec}, whichever image
     * {@code imageRef} turns out to be: asked before a pod is made, so that a refusal known in
     * advance leaves no pod behind. Empty when the image itself must be looked at.
     */
    default java.util.Optional<String> refusesAnyImage(PodSpec spec, String imageRef) {
        return java.util.Optional.empty();
    }

    /**
     * The outcome of a check.
     *
     * @param verified       whether a trusted signature was found
     * @param reason         the signer and trusted prefix, or why the check was skipped
     * @param keyFingerprint the trusted key that signed, or null if not verified
     * @param trustedPrefix  the prefix that key is trusted for, or null for a root key (or not verified)
     */
    record Verification(boolean verified, String reason, String keyFingerprint, String trustedPrefix) {
        public Verification {
            Objects.requireNonNull(reason, "reason");
        }

        /** A check that names no key. */
        public Verification(boolean verified, String reason) {
            this(verified, reason, null, null);
        }
    }
}
