package dev.rkj.engine;

import dev.rkj.engine.pod.PodEvent;
import dev.rkj.eventlog.EventRegistry;

/** Every event type the engine writes to the journal, registered by wire name. */
public final class EngineEvents {
    private static final EventRegistry REGISTRY = EventRegistry.of(PodEvent.class.getPermittedSubclasses());

    private EngineEvents() {}

    /** The registry to open the journal with: every {@link PodEvent}. */
    public static EventRegistry registry() {
        return REGISTRY;
    }
}
