package dev.rkj.engine.appc;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * An {@code os}/{@code arch} label pair. {@link #VALID} is the table of appc's reference code
 * ({@code schema/types/labels.go}, {@code ValidOSArch}), which aci.md allows an implementation to
 * extend beyond the spec's default list: the default pairs plus linux aarch64, aarch64_be, armv6l,
 * armv7l, armv7b, ppc64, ppc64le and s390x, as rkt accepted them.
 */
public record OsArch(String os, String arch) {
    public static final Set<OsArch> VALID = Set.of(
            new OsArch("linux", "amd64"), new OsArch("linux", "i386"),
            new OsArch("linux", "aarch64"), new OsArch("linux", "aarch64_be"), new OsArch("linux", "armv6l"),
            new OsArch("linux", "armv7l"), new OsArch("linux", "armv7b"), new OsArch("linux", "ppc64"),
            new OsArch("linux", "ppc64le"), new OsArch("linux", "s390x"),
            new OsArch("freebsd", "amd64"), new OsArch("freebsd", "i386"), new OsArch("freebsd", "arm"),
            new OsArch("darwin", "x86_64"), new OsArch("darwin", "i386"));

    public OsArch {
        if (os == null || arch == null) {
            throw new IllegalArgumentException("os and arch are both required");
        }
    }

    public boolean isValid() {
        return VALID.contains(this);
    }

    public static boolean isKnownOs(String os) {
        return VALID.stream().anyMatch(p -> p.os.equals(os));
    }

    /** Sorted list of the known os values, for messages. */
    static Set<String> knownOses() {
        Set<String> oses = new TreeSet<>();
        VALID.forEach(p -> oses.add(p.os));
        return oses;
    }

    /** Sorted list of the valid arch values for {@code os}, for messages. */
    static Set<String> archesFor(String os) {
        Set<String> arches = new TreeSet<>();
        VALID.stream().filter(p -> p.os.equals(os)).forEach(p -> arches.add(p.arch));
        return arches;
    }

    /** The pair describing the machine this JVM runs on, in appc's spelling (e.g. linux/amd64). */
    public static OsArch host() {
        return fromJvm(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
    }

    /** Maps the JVM's {@code os.name} and {@code os.arch} to appc's os and arch label values. */
    static OsArch fromJvm(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String arch = osArch.toLowerCase(Locale.ROOT);
        String appcOs = os.startsWith("mac") || os.startsWith("darwin") ? "darwin" : os.replace(" ", "");
        String appcArch = switch (arch) {
            case "x86_64", "amd64" -> appcOs.equals("darwin") ? "x86_64" : "amd64";
            case "x86", "i386", "i486", "i586", "i686" -> "i386";
            default -> arch;
        };
        return new OsArch(appcOs, appcArch);
    }

    @Override
    public String toString() {
        return os + "/" + arch;
    }
}
