package dev.rkj.engine.fetch;

import java.util.Locale;

/** rkt's {@code --pull-policy}: when to ask a server for an image the store may already hold. */
public enum PullPolicy {
    /** Use the store when the name or URL is there; fetch only what is missing (the default). */
    NEW,
    /** Always ask the server (a conditional request when the URL was fetched before). */
    UPDATE,
    /** Use the store only; never fetch. */
    NEVER;

    /** The flag's word, e.g. {@code new}. */
    public String flagValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The policy named {@code value}.
     *
     * @throws IllegalArgumentException naming the value and the valid ones
     */
    public static PullPolicy parse(String value) {
        for (PullPolicy p : values()) {
            if (p.flagValue().equals(value == null ? "" : value.strip().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown pull policy '" + value + "': use new, update or never");
    }
}
