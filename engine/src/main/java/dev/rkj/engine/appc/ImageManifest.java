package dev.rkj.engine.appc;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An image manifest (aci.md "Image Manifest Schema"), always valid: the name is an AC Identifier,
 * labels are unique with a valid os/arch pair, whitelist paths are absolute, and the recognised
 * annotations ({@code created}, {@code homepage}, {@code documentation},
 * {@code appc.io/executor/supports-systemd-notify}) hold what the spec says.
 * Read and write it with {@link ManifestCodec}.
 */
public record ImageManifest(AcVersion acVersion, AcIdentifier name, Labels labels, Optional<App> app,
                            List<Dependency> dependencies, List<String> pathWhitelist, Annotations annotations) {
    public static final String CREATED = "created";
    public static final String AUTHORS = "authors";
    public static final String HOMEPAGE = "homepage";
    public static final String DOCUMENTATION = "documentation";
    public static final String SUPPORTS_SYSTEMD_NOTIFY = "appc.io/executor/supports-systemd-notify";

    public ImageManifest {
        if (acVersion == null || name == null || labels == null || app == null || annotations == null) {
            throw new IllegalArgumentException("an image manifest needs acVersion, name, labels, app and annotations"
                    + " (use Optional.empty() and Labels.EMPTY/Annotations.EMPTY for absent parts)");
        }
        String problem = acVersionProblem(acVersion);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        dependencies = List.copyOf(dependencies);
        pathWhitelist = List.copyOf(pathWhitelist);
        pathWhitelist.forEach(Paths::requireAbsolute);
        annotations.asMap().forEach((n, v) -> {
            String annotationProblem = annotationProblem(n, v);
            if (annotationProblem != null) {
                throw new IllegalArgumentException(annotationProblem);
            }
        });
    }

    public AcKind acKind() {
        return AcKind.IMAGE_MANIFEST;
    }

    /** The value of label {@code name}, e.g. {@code label("version")}. */
    public Optional<String> label(String name) {
        return labels.get(name);
    }

    public Optional<String> annotation(String name) {
        return annotations.get(name);
    }

    private static final AcVersion ZERO = AcVersion.parse("0.0.0");

    /** A builder for an image named {@code name}, with {@link AcVersion#SUPPORTED} as acVersion. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * Why a manifest may not declare {@code v}, or null. appc's reference code refuses only the zero
     * version ({@code schema/types/semver.go}) and a major version older than its own
     * ({@code aci/layout.go}); a newer version is read with the fields this version knows (unknown
     * fields are ignored), as rkt did.
     */
    static String acVersionProblem(AcVersion v) {
        if (v.equals(ZERO)) {
            return "acVersion 0.0.0 is not a version: give the appc version the manifest follows, e.g. "
                    + AcVersion.SUPPORTED;
        }
        if (v.major() < AcVersion.SUPPORTED.major()) {
            return "acVersion " + v + " is too old: rkj implements appc " + AcVersion.SUPPORTED + " and reads versions "
                    + AcVersion.SUPPORTED.major() + ".x and newer";
        }
        return null;
    }

    /** Why {@code value} is not valid for the recognised image annotation {@code name}, or null. */
    static String annotationProblem(String name, String value) {
        switch (name) {
            case CREATED -> {
                try {
                    OffsetDateTime.parse(value, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
                } catch (DateTimeParseException e) {
                    return Quote.of(value) + " is not an RFC 3339 timestamp, e.g. 2014-10-27T19:32:27.67021798Z";
                }
            }
            case HOMEPAGE, DOCUMENTATION -> {
                if (!isHttpUrl(value)) {
                    return Quote.of(value) + " is not an http or https URL, e.g. https://example.com/docs";
                }
            }
            case SUPPORTS_SYSTEMD_NOTIFY -> {
                if (!value.equals("true") && !value.equals("false")) {
                    return Quote.of(value) + " must be \"true\" or \"false\"";
                }
            }
            default -> {
                return null;
            }
        }
        return null;
    }

    private static boolean isHttpUrl(String value) {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** Builds an {@link ImageManifest}; {@link #build()} throws IllegalArgumentException naming what is invalid. */
    public static final class Builder {
        private final String name;
        private AcVersion acVersion = AcVersion.SUPPORTED;
        private final Map<String, String> labels = new LinkedHashMap<>();
        private App app;
        private final List<Dependency> dependencies = new ArrayList<>();
        private final List<String> pathWhitelist = new ArrayList<>();
        private final Map<String, String> annotations = new LinkedHashMap<>();

        private Builder(String name) {
            this.name = name;
        }

        public Builder acVersion(AcVersion version) {
            acVersion = version;
            return this;
        }

        public Builder label(String labelName, String value) {
            labels.put(labelName, value);
            return this;
        }

        public Builder app(App value) {
            app = value;
            return this;
        }

        public Builder dependency(Dependency dependency) {
            dependencies.add(dependency);
            return this;
        }

        public Builder pathWhitelist(String... paths) {
            pathWhitelist.addAll(List.of(paths));
            return this;
        }

        public Builder annotation(String annotationName, String value) {
            annotations.put(annotationName, value);
            return this;
        }

        public ImageManifest build() {
            return new ImageManifest(acVersion, AcIdentifier.parse(name), Labels.of(labels), Optional.ofNullable(app),
                    dependencies, pathWhitelist, Annotations.of(annotations));
        }
    }
}
