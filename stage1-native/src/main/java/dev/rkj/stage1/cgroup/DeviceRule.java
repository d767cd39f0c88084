package dev.rkj.stage1.cgroup;

import java.util.List;
import java.util.Set;

/**
 * One device a pod may use, in the device cgroup's terms: a type, a major and minor number
 * ({@code null} for any) and the access granted ({@code r}ead, {@code w}rite, {@code m}knod).
 * Everything not allowed by a rule is refused: on cgroup v1 by {@code devices.deny a} before the
 * rules go to {@code devices.allow}, on cgroup v2 by a {@link DeviceProgram} that returns 0 when
 * no rule matches.
 *
 * @param type {@code 'c'} (character) or {@code 'b'} (block)
 * @param major null for {@code *}
 * @param minor null for {@code *}
 * @param access a non-empty subset of {@code rwm}, in that order
 */
public record DeviceRule(char type, Integer major, Integer minor, String access) {
    private static final Set<String> ACCESS = Set.of("r", "w", "m", "rw", "rm", "wm", "rwm"); // before STANDARD

    /**
     * The devices of every pod, as runc and Docker allow them: any node may be created
     * ({@code mknod} works, so images that ship device nodes unpack) but none opened, except
     * null, zero, full, random, urandom, tty, console, ptmx and the pod's own pseudo-terminals.
     * No block device at all. {@code /dev/net/tun} (10:200) is left out, as Docker leaves it
     * out: rkj creates no such node in a pod, and opening it needs CAP_NET_ADMIN, which the
     * default capabilities do not hold.
     */
    public static final List<DeviceRule> STANDARD = List.of(
            new DeviceRule('c', null, null, "m"),
            new DeviceRule('b', null, null, "m"),
            new DeviceRule('c', 1, 3, "rwm"),    // null
            new DeviceRule('c', 1, 5, "rwm"),    // zero
            new DeviceRule('c', 1, 7, "rwm"),    // full
            new DeviceRule('c', 1, 8, "rwm"),    // random
            new DeviceRule('c', 1, 9, "rwm"),    // urandom
            new DeviceRule('c', 5, 0, "rwm"),    // tty
            new DeviceRule('c', 5, 1, "rwm"),    // console
            new DeviceRule('c', 5, 2, "rwm"),    // ptmx
            new DeviceRule('c', 136, null, "rwm")); // pts/*

    public DeviceRule {
        if (type != 'c' && type != 'b') {
            throw new IllegalArgumentException("device type must be 'c' or 'b', got '" + type + "'");
        }
        checkNumber("major", major, 0xFFF);
        checkNumber("minor", minor, 0xFFFFF);
        if (access == null || !ACCESS.contains(access)) {
            throw new IllegalArgumentException("device access must be a non-empty subset of rwm in that order, got `"
                    + access + "`");
        }
    }

    /** The kernel's majors have 12 bits, its minors 20. */
    private static void checkNumber(String what, Integer n, int max) {
        if (n != null && (n < 0 || n > max)) {
            throw new IllegalArgumentException("device " + what + " must be between 0 and " + max + ", got " + n);
        }
    }

    /** The line for v1's {@code devices.allow}: {@code c 1:3 rwm}, {@code c *:* m}. */
    public String v1Line() {
        return type + " " + number(major) + ":" + number(minor) + " " + access;
    }

    private static String number(Integer n) {
        return n == null ? "*" : n.toString();
    }

    boolean reads() {
        return access.indexOf('r') >= 0;
    }

    boolean writes() {
        return access.indexOf('w') >= 0;
    }

    boolean mknods() {
        return access.indexOf('m') >= 0;
    }

    @Override
    public String toString() {
        return v1Line();
    }
}
