package dev.rkj.engine.pod;

import java.util.Objects;

/**
 * What became of one isolator of a pod's manifest when the pod started: ace.md requires an executor
 * to tell which isolators were enforced, modified or ignored. Part of {@link PodEvent.PodStarted},
 * so its shape is wire format.
 *
 * @param app     the app whose isolator it is, or {@code null} for one of the pod's
 * @param name    the isolator's name, e.g. {@code os/linux/seccomp-retain-set}
 * @param outcome applied, modified (applied in part, or bounded by rkj's default boundary) or ignored
 * @param reason  what was done, or why not, in words a user can act on
 */
public record IsolatorOutcome(String app, String name, Outcome outcome, String reason) {
    public enum Outcome { APPLIED, MODIFIED, IGNORED }

    public IsolatorOutcome {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reason, "reason");
    }

    public static IsolatorOutcome applied(String app, String name, String reason) {
        return new IsolatorOutcome(app, name, Outcome.APPLIED, reason);
    }

    public static IsolatorOutcome modified(String app, String name, String reason) {
        return new IsolatorOutcome(app, name, Outcome.MODIFIED, reason);
    }

    public static IsolatorOutcome ignored(String app, String name, String reason) {
        return new IsolatorOutcome(app, name, Outcome.IGNORED, reason);
    }

    /** {@code app web: os/linux/apparmor-profile ignored: ...}, one line. */
    public String describe() {
        return (app == null ? "pod" : "app " + app) + ": " + name + " " + outcome.name().toLowerCase(java.util.Locale.ROOT)
                + ": " + reason;
    }
}
