package dev.rkj.engine.fakes;

import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.recovery.Liveness;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Engines alive as a test says: registered ones, and those it declares alive. */
public final class FakeLiveness implements Liveness {
    private final Set<String> alive = ConcurrentHashMap.newKeySet();

    /** Declares {@code owner}'s engine alive. */
    public FakeLiveness alive(PodOwner owner) {
        alive.add(owner.engineId());
        return this;
    }

    /** Declares {@code owner}'s engine dead. */
    public FakeLiveness dead(PodOwner owner) {
        alive.remove(owner.engineId());
        return this;
    }

    @Override
    public Registration register(PodOwner self) {
        alive.add(self.engineId());
        return () -> alive.remove(self.engineId());
    }

    @Override
    public boolean isAlive(PodOwner owner) {
        return alive.contains(owner.engineId());
    }
}
