package dev.rkj.engine.appc;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * An isolator (types.md, ace.md): a named constraint on an app or a pod. The isolators rkj
 * understands are typed records; any other name is kept as {@link Other} with its value as JSON,
 * so that it is written back unchanged.
 */
public sealed interface Isolator {
    String RESOURCE_CPU = "resource/cpu";
    String RESOURCE_MEMORY = "resource/memory";
    String CAPABILITIES_RETAIN_SET = "os/linux/capabilities-retain-set";
    String CAPABILITIES_REMOVE_SET = "os/linux/capabilities-remove-set";
    String NO_NEW_PRIVILEGES = "os/linux/no-new-privileges";
    String SECCOMP_RETAIN_SET = "os/linux/seccomp-retain-set";
    String SECCOMP_REMOVE_SET = "os/linux/seccomp-remove-set";
    String SYSCTL = "os/unix/sysctl";
    String SELINUX_CONTEXT = "os/linux/selinux-context";
    String APPARMOR_PROFILE = "os/linux/apparmor-profile";
    String BLOCK_BANDWIDTH = "resource/block-bandwidth";
    String BLOCK_IOPS = "resource/block-iops";
    String NETWORK_BANDWIDTH = "resource/network-bandwidth";

    /** Isolators that ace.md scopes to single apps only. */
    Set<String> APP_ONLY = Set.of(CAPABILITIES_RETAIN_SET, CAPABILITIES_REMOVE_SET, NO_NEW_PRIVILEGES,
            SECCOMP_RETAIN_SET, SECCOMP_REMOVE_SET);
    /** Isolators that ace.md scopes to whole pods only. */
    Set<String> POD_ONLY = Set.of(SYSCTL);
    /** The isolators ace.md defines; each may appear at most once in an app's or a pod's list. */
    Set<String> DEFINED = Set.of(RESOURCE_CPU, RESOURCE_MEMORY, CAPABILITIES_RETAIN_SET, CAPABILITIES_REMOVE_SET,
            NO_NEW_PRIVILEGES, SECCOMP_RETAIN_SET, SECCOMP_REMOVE_SET, SYSCTL, SELINUX_CONTEXT, APPARMOR_PROFILE,
            BLOCK_BANDWIDTH, BLOCK_IOPS, NETWORK_BANDWIDTH);

    /** The isolator's AC Identifier name. */
    AcIdentifier name();

    /** {@code resource/cpu}: cores as whole millicores; the request defaults to the limit. */
    record Cpu(Optional<Quantity> request, Optional<Quantity> limit) implements Isolator {
        public Cpu {
            IsolatorChecks.check(RESOURCE_CPU, request, limit, true);
        }

        public static Cpu limit(Quantity limit) {
            return new Cpu(Optional.empty(), Optional.of(limit));
        }

        @Override
        public AcIdentifier name() {
            return new AcIdentifier(RESOURCE_CPU);
        }

        public OptionalLong limitMillis() {
            return limit.map(q -> OptionalLong.of(q.toMillisExact())).orElse(OptionalLong.empty());
        }

        /** The request, or the limit when no request is given. */
        public OptionalLong requestMillis() {
            return request.map(q -> OptionalLong.of(q.toMillisExact())).orElseGet(this::limitMillis);
        }
    }

    /** {@code resource/memory}: whole bytes; the request defaults to the limit. */
    record Memory(Optional<Quantity> request, Optional<Quantity> limit) implements Isolator {
        public Memory {
            IsolatorChecks.check(RESOURCE_MEMORY, request, limit, false);
        }

        public static Memory limit(Quantity limit) {
            return new Memory(Optional.empty(), Optional.of(limit));
        }

        @Override
        public AcIdentifier name() {
            return new AcIdentifier(RESOURCE_MEMORY);
        }

        public OptionalLong limitBytes() {
            return limit.map(q -> OptionalLong.of(q.toLongExact())).orElse(OptionalLong.empty());
        }

        /** The request, or the limit when no request is given. */
        public OptionalLong requestBytes() {
            return request.map(q -> OptionalLong.of(q.toLongExact())).orElseGet(this::limitBytes);
        }
    }

    /** {@code os/linux/capabilities-retain-set}: the bounding set is exactly these. */
    record CapabilitiesRetain(List<LinuxCapability> set) implements Isolator {
        public CapabilitiesRetain {
            set = IsolatorChecks.nonEmpty(CAPABILITIES_RETAIN_SET, set);
        }

        @Override
        public AcIdentifier name() {
            return new AcIdentifier(CAPABILITIES_RETAIN_SET);
        }
    }

    /** {@code os/linux/capabilities-remove-set}: the default set minus these. */
    record CapabilitiesRemove(List<LinuxCapability> set) implements Isolator {
        public CapabilitiesRemove {
            set = IsolatorChecks.nonEmpty(CAPABILITIES_REMOVE_SET, set);
        }

        @Override
        public AcIdentifier name() {
            return new AcIdentifier(CAPABILITIES_REMOVE_SET);
        }
    }

    /** {@code os/linux/no-new-privileges}. */
    record NoNewPrivileges(boolean enabled) implements Isolator {
        @Override
        public AcIdentifier name() {
            return new AcIdentifier(NO_NEW_PRIVILEGES);
        }
    }

    /**
     * {@code os/linux/seccomp-retain-set}: only these syscalls (or {@code @scope/wildcards}) are allowed;
     * blocked calls fail with {@code errno}, or kill the app with SIGSYS when it is empty.
     */
    record SeccompRetain(List<String> set, Optional<String> errno) implements Isolator {
        public SeccompRetain {
            set = IsolatorChecks.syscalls(SECCOMP_RETAIN_SET, set);
            errno = IsolatorChecks.errno(errno);
        }

        @Override
        public AcIdentifier name() {
            return new AcIdentifier(SECCOMP_RETAIN_SET);
        }
    }

    /**
     * {@code os/linux/seccomp-remove-set}: these syscalls (or {@code @scope/wildcards}) are blocked;
     * they fail with {@code errno}, or kill the app with SIGSYS when it is empty.
     */
    record SeccompRemove(List<String> set, Optional<String> errno) implements Isolator {
        public SeccompRemove {
            set = IsolatorChecks.syscalls(SECCOMP_REMOVE_SET, set);
            errno = IsolatorChecks.errno(errno);
        }

        @Override
        public AcIdentifier name() {
            return new AcIdentifier(SECCOMP_REMOVE_SET);
        }
    }

    /**
     * Any other isolator, its value kept as JSON text, normalised to compact form (so equal values
     * compare equal however they were spaced).
     */
    record Other(AcIdentifier name, String valueJson) implements Isolator {
        public Other {
            if (name == null) {
                throw new IllegalArgumentException("an isolator needs a name");
            }
            valueJson = IsolatorChecks.compactJson(name.value(), valueJson);
        }
    }
}
