package dev.rkj.eventlog;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The stable wire name and version of an event record, stored in the journal instead of the class name. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface WireName {
    /** The wire name, e.g. {@code pod.created}. */
    String value();

    /** The payload version; bump it when the record's shape changes incompatibly. */
    int version() default 1;
}
