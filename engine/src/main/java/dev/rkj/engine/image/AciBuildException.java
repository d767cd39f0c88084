package dev.rkj.engine.image;

/** An ACI could not be written from an image directory; no output file is left behind. */
public class AciBuildException extends Exception {
    public AciBuildException(String message) {
        super(message);
    }

    public AciBuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
