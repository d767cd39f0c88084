package dev.rkj.engine.image;

import java.util.List;

/**
 * The device nodes and FIFOs an image ships under {@code /dev}, which are left out of its tree: the
 * pod mounts its own {@code /dev} over the image's, so they could never be reached (a Debian root
 * file system made by {@code debootstrap} has {@code /dev/console}, {@code /dev/null}, ...).
 * Anywhere else a device node or FIFO is refused.
 *
 * @param paths the first {@link #MAX_PATHS} of them, as the app would see them ({@code /dev/console})
 * @param count how many there are in all
 */
public record LeftOut(List<String> paths, int count) {
    /** The most paths kept: the count says how many more there were. */
    public static final int MAX_PATHS = 64;

    /** Nothing left out. */
    public static final LeftOut NONE = new LeftOut(List.of(), 0);

    public LeftOut {
        paths = List.copyOf(paths);
        if (count < paths.size() || paths.size() > MAX_PATHS) {
            throw new IllegalArgumentException("left out: " + count + " entries cannot list " + paths.size()
                    + " paths (at most " + MAX_PATHS + ")");
        }
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** One line for people: {@code 3 device nodes under /dev (/dev/console, /dev/null, /dev/zero)}. */
    public String describe() {
        String listed = String.join(", ", paths) + (count > paths.size() ? ", and " + (count - paths.size()) + " more" : "");
        return count + (count == 1 ? " device node or FIFO" : " device nodes and FIFOs") + " under /dev (" + listed + ")";
    }
}
