package dev.rkj.engine.appc;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The Linux capabilities (linux/capability.h, up to CAP_CHECKPOINT_RESTORE), by their
 * {@code CAP_*} name and kernel number, as named in the capabilities isolators (ace.md).
 */
public enum LinuxCapability {
    CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID, CAP_KILL, CAP_SETGID,
    CAP_SETUID, CAP_SETPCAP, CAP_LINUX_IMMUTABLE, CAP_NET_BIND_SERVICE, CAP_NET_BROADCAST, CAP_NET_ADMIN,
    CAP_NET_RAW, CAP_IPC_LOCK, CAP_IPC_OWNER, CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_SYS_CHROOT, CAP_SYS_PTRACE,
    CAP_SYS_PACCT, CAP_SYS_ADMIN, CAP_SYS_BOOT, CAP_SYS_NICE, CAP_SYS_RESOURCE, CAP_SYS_TIME,
    CAP_SYS_TTY_CONFIG, CAP_MKNOD, CAP_LEASE, CAP_AUDIT_WRITE, CAP_AUDIT_CONTROL, CAP_SETFCAP,
    CAP_MAC_OVERRIDE, CAP_MAC_ADMIN, CAP_SYSLOG, CAP_WAKE_ALARM, CAP_BLOCK_SUSPEND, CAP_AUDIT_READ,
    CAP_PERFMON, CAP_BPF, CAP_CHECKPOINT_RESTORE;

    /**
     * The bounding set an app gets when it has no capabilities isolator (ace.md, 14 capabilities).
     */
    public static final Set<LinuxCapability> DEFAULT_SET = Collections.unmodifiableSet(EnumSet.of(
            CAP_AUDIT_WRITE, CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_KILL, CAP_MKNOD,
            CAP_NET_RAW, CAP_NET_BIND_SERVICE, CAP_SETUID, CAP_SETGID, CAP_SETPCAP, CAP_SETFCAP,
            CAP_SYS_CHROOT));

    /** The kernel's number for this capability (its bit in capability sets). */
    public int number() {
        return ordinal();
    }

    /**
     * The capabilities of a comma-separated list such as {@code CAP_NET_ADMIN,CAP_SYS_TIME}, in its
     * order (as rkt's {@code --caps-retain} and {@code --caps-remove} take them).
     *
     * @param flag the flag the list was given with, for the message
     * @throws IllegalArgumentException naming the flag, the unknown name and the known ones
     */
    public static Set<LinuxCapability> parseList(String flag, String list) {
        Set<LinuxCapability> caps = new LinkedHashSet<>();
        for (String word : list.split(",", -1)) {
            String name = word.strip();
            Optional<LinuxCapability> cap = byName(name);
            if (cap.isEmpty()) {
                String hint = byName("CAP_" + name.toUpperCase(Locale.ROOT)).map(c -> "did you mean " + c + "? ")
                        .orElse("");
                StringBuilder known = new StringBuilder();
                for (LinuxCapability c : values()) {
                    known.append(known.length() == 0 ? "" : ",").append(c.name());
                }
                throw new IllegalArgumentException(flag + ": \"" + name + "\" is not a Linux capability: "
                        + hint + "use names such as CAP_NET_ADMIN, one of " + known);
            }
            caps.add(cap.get());
        }
        return Collections.unmodifiableSet(caps);
    }

    /** The capability named exactly {@code name} (e.g. {@code CAP_NET_ADMIN}), if Linux has it. */
    public static Optional<LinuxCapability> byName(String name) {
        for (LinuxCapability c : values()) {
            if (c.name().equals(name)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
