package dev.rkj.engine.image;

/** Thrown by a {@link ManifestValidator}: the image manifest is not acceptable, and why. */
public class InvalidManifestException extends Exception {
    public InvalidManifestException(String message) {
        super(message);
    }

    public InvalidManifestException(String message, Throwable cause) {
        super(message, cause);
    }
}
