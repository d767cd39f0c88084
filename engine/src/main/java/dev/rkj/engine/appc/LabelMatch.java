package dev.rkj.engine.appc;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * appc's rule for whether an image answers a request by name and labels, as used to pick an image
 * from the store ({@code rkj run example.com/app:1.0.0}) or to resolve a dependency.
 *
 * <p>The rule ({@link #matches}):
 * <ol>
 *   <li>The image's {@code name} equals the requested name exactly.</li>
 *   <li>Every requested label is present in the image with the same value (discovery.md
 *       "Validation"); labels the request does not mention match any value.</li>
 *   <li>Exception, aci.md: an image without an {@code os} (or {@code arch}) label is OS- (or
 *       architecture-) independent and matches any requested {@code os} (or {@code arch}).</li>
 *   <li>Exception, rkt: a requested {@code version} of {@code latest} matches any version, or none.</li>
 * </ol>
 * A request from a user should first get the host's {@code os} and {@code arch} where it names none
 * ({@link #withHostDefaults}, linux/amd64 here), as rkt and appc discovery do.
 *
 * <p>When several images match, rkt took the most recently imported one; {@link #BY_VERSION} orders
 * candidates by their {@code version} label first, for stores that want that, leaving ties (equal
 * versions, or none) to import time.
 */
public final class LabelMatch {
    /** The version label value that asks for the newest image. */
    public static final String LATEST = "latest";

    /**
     * Orders images by {@code version} label, lowest first: no version or a non-SemVer one, then
     * SemVer versions by precedence, then the literal {@code latest}.
     */
    public static final Comparator<ImageManifest> BY_VERSION = Comparator
            .comparingInt(LabelMatch::versionRank)
            .thenComparing(m -> m.label(Labels.VERSION).flatMap(AcVersion::tryParse),
                    (a, b) -> a.isPresent() && b.isPresent() ? a.get().compareTo(b.get()) : 0);

    private LabelMatch() {
    }

    /** Whether {@code image} answers a request for {@code name} with {@code labels} (see the class doc). */
    public static boolean matches(ImageManifest image, String name, Map<String, String> labels) {
        if (!image.name().value().equals(name)) {
            return false;
        }
        for (Map.Entry<String, String> wanted : labels.entrySet()) {
            Optional<String> has = image.label(wanted.getKey());
            boolean ok = switch (wanted.getKey()) {
                case Labels.OS, Labels.ARCH -> has.isEmpty() || has.get().equals(wanted.getValue());
                case Labels.VERSION -> LATEST.equals(wanted.getValue())
                        || has.map(wanted.getValue()::equals).orElse(false);
                default -> has.map(wanted.getValue()::equals).orElse(false);
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** {@code labels} plus the host's {@code os} and {@code arch} where they are not given. */
    public static Map<String, String> withHostDefaults(Map<String, String> labels) {
        return withDefaults(labels, OsArch.host());
    }

    /** {@code labels} plus {@code platform}'s {@code os} and {@code arch} where they are not given. */
    public static Map<String, String> withDefaults(Map<String, String> labels, OsArch platform) {
        Map<String, String> out = new LinkedHashMap<>(labels);
        out.putIfAbsent(Labels.OS, platform.os());
        out.putIfAbsent(Labels.ARCH, platform.arch());
        return out;
    }

    private static int versionRank(ImageManifest m) {
        Optional<String> version = m.label(Labels.VERSION);
        if (version.isEmpty() || AcVersion.tryParse(version.get()).isEmpty()) {
            return version.filter(LATEST::equals).isPresent() ? 2 : 0;
        }
        return 1;
    }
}
