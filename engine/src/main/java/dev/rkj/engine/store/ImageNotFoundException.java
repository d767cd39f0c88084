package dev.rkj.engine.store;

/** No stored image answers the reference (an ID, an ID prefix, or a name with labels). */
public final class ImageNotFoundException extends ImageStoreException {
    private static final long serialVersionUID = 1L;
    private final String reference;

    public ImageNotFoundException(String reference, String message) {
        super(message);
        this.reference = reference;
    }

    /** The reference as given. */
    public String reference() {
        return reference;
    }
}
