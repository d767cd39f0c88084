package dev.rkj.engine.pod;

/** No pod's id starts with the given prefix. */
public final class NoSuchPodException extends PodLookupException {
    NoSuchPodException(String prefix) {
        super(prefix, prefix.isBlank()
                ? "empty pod id: give a pod id or its first characters (see rkj list)"
                : "no pod id starts with \"" + prefix + "\" (see rkj list for the pods there are)");
    }
}
