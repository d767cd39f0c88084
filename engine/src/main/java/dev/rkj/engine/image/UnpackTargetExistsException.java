package dev.rkj.engine.image;

import java.nio.file.Path;

/**
 * The unpack target already exists. For a content-addressed tree store this usually means another
 * unpack of the same image won the race, which counts as done.
 */
public class UnpackTargetExistsException extends UnpackException {
    private final Path target;

    public UnpackTargetExistsException(String source, Path target) {
        super(source, null, "target " + target + " already exists; remove it first, or treat the image as already unpacked");
        this.target = target;
    }

    public Path target() {
        return target;
    }
}
