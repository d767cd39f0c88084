package dev.rkj.eventlog;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What journal retention keeps: the day files of the last {@code keepAge}, and/or the newest day
 * files within {@code keepBytes}. A day file goes only if every limit given lets it go, only
 * oldest first, never the newest file, and never one holding an event at or after the index the
 * caller can restore state from (its projection snapshot).
 *
 * @param keepAge   keep the files with events younger than this; empty: no age limit
 * @param keepBytes keep the newest files that fit in this many bytes; empty: no size limit
 */
public record Retention(Optional<Duration> keepAge, OptionalLong keepBytes) {
    public Retention {
        Objects.requireNonNull(keepAge, "keepAge");
        Objects.requireNonNull(keepBytes, "keepBytes");
        if (keepAge.isEmpty() && keepBytes.isEmpty()) {
            throw new IllegalArgumentException("a retention needs an age or a size to keep");
        }
        keepAge.ifPresent(a -> {
            if (a.isNegative()) {
                throw new IllegalArgumentException("the age to keep must not be negative, got " + a);
            }
        });
        if (keepBytes.isPresent() && keepBytes.getAsLong() < 0) {
            throw new IllegalArgumentException("the size to keep must not be negative, got " + keepBytes.getAsLong());
        }
    }
}
