package dev.rkj.engine.store;

/**
 * The image store could not do what was asked. The message names the image, file or reference
 * and says what to do next. Subclasses say why: {@link ImageNotFoundException},
 * {@link AmbiguousImageException}, {@link InvalidImageException}, {@link ImageRenderException}.
 * A plain instance is a storage failure (I/O, journal).
 */
public class ImageStoreException extends Exception {
    private static final long serialVersionUID = 1L;

    public ImageStoreException(String message) {
        super(message);
    }

    public ImageStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
