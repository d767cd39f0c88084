package dev.rkj.stage1;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** Linux capabilities, in kernel number order ({@code CAP_CHOWN} is 0). */
public enum Capability {
    CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID, CAP_KILL, CAP_SETGID,
    CAP_SETUID, CAP_SETPCAP, CAP_LINUX_IMMUTABLE, CAP_NET_BIND_SERVICE, CAP_NET_BROADCAST, CAP_NET_ADMIN,
    CAP_NET_RAW, CAP_IPC_LOCK, CAP_IPC_OWNER, CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_SYS_CHROOT, CAP_SYS_PTRACE,
    CAP_SYS_PACCT, CAP_SYS_ADMIN, CAP_SYS_BOOT, CAP_SYS_NICE, CAP_SYS_RESOURCE, CAP_SYS_TIME,
    CAP_SYS_TTY_CONFIG, CAP_MKNOD, CAP_LEASE, CAP_AUDIT_WRITE, CAP_AUDIT_CONTROL, CAP_SETFCAP,
    CAP_MAC_OVERRIDE, CAP_MAC_ADMIN, CAP_SYSLOG, CAP_WAKE_ALARM, CAP_BLOCK_SUSPEND, CAP_AUDIT_READ,
    CAP_PERFMON, CAP_BPF, CAP_CHECKPOINT_RESTORE;

    /**
     * The default retain set of the App Container spec (ace.md, 14 capabilities): what an app
     * keeps in its bounding set when it asks for nothing else.
     */
    public static final Set<Capability> DEFAULT_RETAIN_SET = Set.copyOf(EnumSet.of(CAP_AUDIT_WRITE, CAP_CHOWN,
            CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_KILL, CAP_MKNOD, CAP_NET_RAW, CAP_NET_BIND_SERVICE,
            CAP_SETUID, CAP_SETGID, CAP_SETPCAP, CAP_SETFCAP, CAP_SYS_CHROOT));

    /** The kernel's number for it. */
    public int number() {
        return ordinal();
    }

    /** By name, with or without the {@code CAP_} prefix, any case. */
    public static Capability parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        try {
            return valueOf(n.startsWith("CAP_") ? n : "CAP_" + n);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown capability `" + name + "`: expected a name such as CAP_NET_ADMIN", e);
        }
    }

    /** The bit mask of a set, as in /proc/PID/status (CapBnd, CapEff). */
    public static long mask(Set<Capability> caps) {
        long mask = 0;
        for (Capability c : caps) {
            mask |= 1L << c.number();
        }
        return mask;
    }
}
