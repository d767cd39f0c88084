package dev.rkj.engine.image;

/**
 * The archive is not a valid, complete ACI: unknown format, corrupt or truncated stream, a layout
 * other than {@code manifest} + {@code rootfs/}, duplicate entries, unsafe names or links, or
 * more data than the configured limits.
 */
public class AciFormatException extends ImageArchiveException {
    public AciFormatException(String source, String entry, String problem) {
        super(source, entry, problem, null);
    }

    public AciFormatException(String source, String entry, String problem, Throwable cause) {
        super(source, entry, problem, cause);
    }
}
