package dev.rkj.engine.pod;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Given events / when a command / then events or a refusal. Given events are applied one
 * second apart from {@link #T0}.
 */
final class PodScenario {
    static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private final PodState state;

    private PodScenario(PodState state) {
        this.state = state;
    }

    static PodScenario givenNoPod(String podId) {
        return new PodScenario(PodState.initial(podId));
    }

    static PodScenario given(List<? extends PodEvent> events) {
        return new PodScenario(fold(PodState.initial(events.get(0).podId()), events));
    }

    static PodScenario given(PodEvent... events) {
        return given(List.of(events));
    }

    static PodScenario givenPodIn(PodStatus status) {
        return given(PodFixtures.historyOf(status));
    }

    /** Folds {@code events} into {@code state}, one second apart after the state's last event. */
    static PodState fold(PodState state, List<? extends PodEvent> events) {
        PodState s = state;
        for (PodEvent e : events) {
            Instant time = s.updatedAt() == null ? T0 : s.updatedAt().plus(Duration.ofSeconds(1));
            s = PodLifecycle.evolve(s, e, time);
        }
        return s;
    }

    PodState state() {
        return state;
    }

    When when(PodCommand command) {
        return new When(command);
    }

    final class When {
        private final PodCommand command;

        private When(PodCommand command) {
            this.command = command;
        }

        /** Asserts the command decides exactly {@code expected}; returns the state after them. */
        PodState thenEvents(PodEvent... expected) throws IllegalPodTransition {
            List<PodEvent> decided = PodLifecycle.decide(command, state);
            assertEquals(List.of(expected), decided, "events decided for " + command);
            return fold(state, decided);
        }

        /** Asserts the command's fact is already recorded: no events. */
        void thenNoEvents() throws IllegalPodTransition {
            assertEquals(List.of(), PodLifecycle.decide(command, state), "events decided for " + command);
        }

        /** Asserts the command is refused from {@code from} as its move; returns the refusal. */
        IllegalPodTransition thenRefused(PodStatus from) {
            IllegalPodTransition refusal = assertThrows(IllegalPodTransition.class,
                    () -> PodLifecycle.decide(command, state), "refusal of " + command);
            assertEquals(state.podId(), refusal.podId());
            assertEquals(from, refusal.from().orElse(null), "refused from");
            assertEquals(command.move(), refusal.move(), "refused move");
            assertTrue(refusal.getMessage().contains(": cannot " + command.move().description() + " ("),
                    refusal.getMessage());
            return refusal;
        }
    }
}
