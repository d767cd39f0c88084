package dev.rkj.engine.run;

import dev.rkj.engine.mds.MdsEndpoint;
import dev.rkj.engine.pod.PodSpec;

import java.util.Objects;
import java.util.function.Predicate;

/**
 * Which launched pods register with the appc metadata service, and where that service listens
 * (what their {@code AC_METADATA_URL} says). Registering needs no running service: the pod starts
 * either way, and its requests reach the service once one runs on {@link #endpoint}.
 *
 * @param endpoint  the service's socket and port
 * @param registers whether a pod of this spec registers (rkt's {@code --mds-register})
 */
public record MdsPolicy(MdsEndpoint endpoint, Predicate<PodSpec> registers) {
    /** The variable that tells an app where its metadata is (ace.md). */
    public static final String URL_VARIABLE = "AC_METADATA_URL";

    /** No pod registers. */
    public static final MdsPolicy NONE = new MdsPolicy(MdsEndpoint.defaults(), spec -> false);

    public MdsPolicy {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(registers, "registers");
    }

    /** A registered pod's access: the service's endpoint and the pod's token. */
    public record Registered(MdsEndpoint endpoint, String token) {
        public Registered {
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(token, "token");
        }

        /** {@code AC_METADATA_URL}. */
        public String url() {
            return endpoint.url(token);
        }
    }
}
