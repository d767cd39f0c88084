package dev.rkj.eventlog;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On an event record: its stable wire name and version, written to the journal instead of the
 * class name, so that renaming or moving the class never breaks an old journal.
 *
 * <pre>{@code
 * @WireName(value = "pod.created", version = 1)
 * public record PodCreated(String podId, ...) implements PodEvent {}
 * }</pre>
 *
 * <p>Change the version when the JSON shape changes incompatibly; keep the old record (or an
 * upcaster) for the old version, since old journals still hold it.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface WireName {
    /** The wire name, e.g. {@code pod.created}: letters, digits, '.', '_' and '-'. */
    String value();

    /** The version of the payload's shape, from 1. */
    int version() default 1;
}
