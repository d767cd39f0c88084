package dev.rkj.engine.image;

/**
 * An ACI could not be unpacked: it was refused (unsafe entry, limit exceeded, device node not
 * allowed, image ID mismatch) or writing the tree failed. Nothing is left behind when it is
 * thrown: neither the target nor the temporary directory beside it.
 */
public class UnpackException extends ImageArchiveException {
    public UnpackException(String source, String entry, String problem) {
        super(source, entry, problem, null);
    }

    public UnpackException(String source, String entry, String problem, Throwable cause) {
        super(source, entry, problem, cause);
    }

    /** Carries a format problem found while unpacking, with its entry and message. */
    static UnpackException of(AciFormatException e) {
        return new UnpackException(e.source(), e.entry().orElse(null), problemOf(e), e);
    }

    private static String problemOf(ImageArchiveException e) {
        String message = e.getMessage();
        String prefix = e.source() + e.entry().map(n -> ": entry '" + PathLimits.abbreviate(n) + "'").orElse("") + ": ";
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }
}
