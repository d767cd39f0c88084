package dev.rkj.engine;

import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.store.ImageEvent;
import dev.rkj.eventlog.EventRegistry;
import java.util.Arrays;

/** Every event type the engine writes to the journal, registered by wire name. */
public final class EngineEvents {
    private static final EventRegistry REGISTRY = EventRegistry.of(PodEvent.class.getPermittedSubclasses())
            .with(ImageEvent.class.getPermittedSubclasses());

    private EngineEvents() {}

    /** The registry to open the journal with: every {@link PodEvent} and {@link ImageEvent}. */
    public static EventRegistry registry() {
        return REGISTRY;
    }

    /** The registry with more event types (for modules or tests that add their own). */
    public static EventRegistry with(Class<?>... more) {
        return REGISTRY.with(Arrays.copyOf(more, more.length));
    }
}
