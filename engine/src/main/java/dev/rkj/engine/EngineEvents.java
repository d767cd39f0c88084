package dev.rkj.engine;

import dev.rkj.eventlog.EventRegistry;

/** Every event type the engine writes to the journal, registered by wire name. */
public final class EngineEvents {
    private static final EventRegistry REGISTRY = EventRegistry.of();

    private EngineEvents() {}

    public static EventRegistry registry() {
        return REGISTRY;
    }
}
