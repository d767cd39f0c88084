package dev.rkj.engine.store;

import dev.rkj.engine.appc.ImageId;
import java.util.List;

/** The images' dependencies form a cycle, so no rendering order exists. */
public final class DependencyCycleException extends ImageRenderException {
    private static final long serialVersionUID = 1L;
    private final transient List<ImageId> cycle;

    DependencyCycleException(List<ImageId> cycle, String message) {
        super(message);
        this.cycle = List.copyOf(cycle);
    }

    /** The images around the cycle, the first one repeated at the end. */
    public List<ImageId> cycle() {
        return cycle;
    }
}
