package dev.rkj.engine.store;

/** A dependency of the image being rendered is not in the store: fetch it, then render again. */
public final class MissingDependencyException extends ImageRenderException {
    private static final long serialVersionUID = 1L;
    private final String dependency;

    MissingDependencyException(String dependency, String message) {
        super(message);
        this.dependency = dependency;
    }

    /** The dependency as the manifest gives it: its name, labels and ID if pinned. */
    public String dependency() {
        return dependency;
    }
}
