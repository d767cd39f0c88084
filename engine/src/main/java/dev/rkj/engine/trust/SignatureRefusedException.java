package dev.rkj.engine.trust;

/**
 * An image's signature did not show that a trusted key signed it. {@link #reason()} says which
 * check failed; the message names the image, the key's fingerprint (when the signature names one)
 * and what to do.
 */
public final class SignatureRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Which check failed. */
    public enum Reason {
        /** No signature was given. */
        MISSING,
        /** The signature is not an OpenPGP signature. */
        UNREADABLE,
        /** No key trusted for the image's name made it. */
        UNTRUSTED,
        /** The trusted key's signature does not match the image: one of them was changed. */
        TAMPERED,
        /** The key (or its signing subkey) had expired when the signature was made. */
        EXPIRED,
        /** The key, or the subkey that signed, is revoked. */
        REVOKED,
        /** The key that signed may not sign: it lacks the signing flag. */
        NOT_FOR_SIGNING
    }

    private final Reason reason;
    private final String fingerprint;

    public SignatureRefusedException(Reason reason, String fingerprint, String message) {
        super(message);
        this.reason = reason;
        this.fingerprint = fingerprint;
    }

    public Reason reason() {
        return reason;
    }

    /** The fingerprint (or key id) of the key the signature names, or null if there was none. */
    public String fingerprint() {
        return fingerprint;
    }
}
