package dev.rkj.engine.store;

import dev.rkj.engine.trust.SignatureRefusedException;

/**
 * An image's signature did not show that a trusted key signed it, so nothing of it was kept (or,
 * for {@link ImageStore#verify}, it may not be used). The message names the image, the key and
 * what to do; {@link #refusal()} says which check failed.
 */
public final class UnverifiedImageException extends ImageStoreException {
    private static final long serialVersionUID = 1L;
    private final SignatureRefusedException.Reason reason;
    private final String fingerprint;

    UnverifiedImageException(SignatureRefusedException cause) {
        super(cause.getMessage(), cause);
        this.reason = cause.reason();
        this.fingerprint = cause.fingerprint();
    }

    /** Which check failed. */
    public SignatureRefusedException.Reason refusal() {
        return reason;
    }

    /** The fingerprint of the key the signature names, or null. */
    public String fingerprint() {
        return fingerprint;
    }
}
