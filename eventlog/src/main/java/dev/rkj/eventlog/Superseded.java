package dev.rkj.eventlog;

import java.util.Objects;

/**
 * An event record of an old wire version, kept so that old journals replay: it is never written
 * any more, and readers fold and describe it as {@link #upcast()}, the same fact in the next
 * version's shape. The journal decodes a stored event faithfully (an envelope says
 * {@code pod.prepared/1} and holds the {@code /1} record); {@link #latest} gives its current form.
 *
 * <pre>{@code
 * @WireName(value = "pod.prepared", version = 1)
 * record PodPreparedV1(String podId, String podDir, String manifestDigest)
 *         implements PodEvent, Superseded<PodEvent> {
 *     public PodPrepared upcast() { return new PodPrepared(podId, manifestDigest); }
 * }
 * }</pre>
 *
 * @param <E> the aggregate's event type: an upcast event is still one of the aggregate's events
 */
public interface Superseded<E> {

    /**
     * The same fact as the next version says it. Pure: no I/O, and it must not throw for any
     * payload the old version was written with.
     */
    E upcast();

    /**
     * {@code event} in its current version: itself unless it is {@link Superseded}, else its
     * upcast, upcast again until a current version is reached.
     */
    @SuppressWarnings("unchecked")
    static <E> E latest(E event) {
        Objects.requireNonNull(event, "event");
        E current = event;
        while (current instanceof Superseded<?> old) {
            current = ((Superseded<E>) old).upcast();
            Objects.requireNonNull(current, () -> old.getClass().getName() + ".upcast() returned null");
        }
        return current;
    }
}
