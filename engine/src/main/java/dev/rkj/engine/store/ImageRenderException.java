package dev.rkj.engine.store;

/**
 * An image could not be rendered: a dependency is missing or forms a cycle, a layer could not be
 * unpacked (the message names the layer and the entry), or the tree could not be written.
 * Nothing is left in the tree store when it is thrown.
 */
public class ImageRenderException extends ImageStoreException {
    private static final long serialVersionUID = 1L;

    public ImageRenderException(String message) {
        super(message);
    }

    public ImageRenderException(String message, Throwable cause) {
        super(message, cause);
    }
}
