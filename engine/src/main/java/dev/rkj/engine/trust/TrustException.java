package dev.rkj.engine.trust;

/** A key could not be read, trusted, listed or removed; the message names the key or file and says what to do. */
public final class TrustException extends Exception {
    private static final long serialVersionUID = 1L;

    public TrustException(String message) {
        super(message);
    }

    public TrustException(String message, Throwable cause) {
        super(message, cause);
    }
}
