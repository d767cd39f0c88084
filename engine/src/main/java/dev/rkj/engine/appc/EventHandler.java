package dev.rkj.engine.appc;

import java.util.List;
import java.util.Optional;

/** An app lifecycle hook (aci.md "eventHandlers"): a command run before start or after stop. */
public record EventHandler(Kind kind, List<String> exec) {
    /** The two lifecycle events of the spec, with their wire names. */
    public enum Kind {
        PRE_START("pre-start"), POST_STOP("post-stop");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Optional<Kind> byWireName(String name) {
            for (Kind k : values()) {
                if (k.wireName.equals(name)) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }
    }

    public EventHandler {
        if (kind == null) {
            throw new IllegalArgumentException("an event handler needs a kind: pre-start or post-stop");
        }
        exec = List.copyOf(exec);
        String problem = App.execProblem(exec, true);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }
}
