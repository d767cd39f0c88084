package dev.rkj.engine.appc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One app of a pod (pods.md "apps"): its name (unique in the pod), its image, an optional
 * replacement for the image's app section, whether its root filesystem is read-only, the volumes
 * mounted into it, and annotations (AC Name names) that take precedence over the image's.
 */
public record PodApp(AcName name, RuntimeImage image, Optional<App> app, boolean readOnlyRootFs, List<Mount> mounts,
                     Annotations annotations) {
    public PodApp {
        if (name == null || image == null || app == null || annotations == null) {
            throw new IllegalArgumentException("a pod app needs a name and an image"
                    + " (use Optional.empty() and Annotations.EMPTY for absent parts)");
        }
        mounts = List.copyOf(mounts);
        PodManifest.requireAcNames(annotations);
    }

    public static Builder builder(String name, RuntimeImage image) {
        return new Builder(name, image);
    }

    /** Builds a {@link PodApp}; {@link #build()} throws IllegalArgumentException naming what is invalid. */
    public static final class Builder {
        private final String name;
        private final RuntimeImage image;
        private App app;
        private boolean readOnlyRootFs;
        private final List<Mount> mounts = new ArrayList<>();
        private final Map<String, String> annotations = new LinkedHashMap<>();

        private Builder(String name, RuntimeImage image) {
            this.name = name;
            this.image = image;
        }

        public Builder app(App value) {
            app = value;
            return this;
        }

        public Builder readOnlyRootFs(boolean value) {
            readOnlyRootFs = value;
            return this;
        }

        public Builder mount(Mount mount) {
            mounts.add(mount);
            return this;
        }

        public Builder annotation(String annotationName, String value) {
            annotations.put(annotationName, value);
            return this;
        }

        public PodApp build() {
            return new PodApp(AcName.parse(name), image, Optional.ofNullable(app), readOnlyRootFs, mounts,
                    Annotations.of(annotations));
        }
    }
}
