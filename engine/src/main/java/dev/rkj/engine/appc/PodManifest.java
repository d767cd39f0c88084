package dev.rkj.engine.appc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A pod manifest (pods.md "Pod Manifest Schema"), always valid as a template: at least one app,
 * unique app, volume and exposed-port names, annotation names that are AC Names, app port names
 * unique across the pod, and isolators that may apply to a whole pod. It is <em>reified</em>
 * ({@link #isReified()}) when every app names its image by ID and every mount finds its volume;
 * only a reified manifest can run. Read and write it with {@link ManifestCodec}.
 */
public record PodManifest(AcVersion acVersion, List<PodApp> apps, List<Volume> volumes, List<Isolator> isolators,
                          Annotations annotations, List<ExposedPort> ports, Map<String, String> userAnnotations,
                          Map<String, String> userLabels) {
    public PodManifest {
        if (acVersion == null || annotations == null) {
            throw new IllegalArgumentException("a pod manifest needs acVersion and annotations (Annotations.EMPTY)");
        }
        String problem = ImageManifest.acVersionProblem(acVersion);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        apps = List.copyOf(apps);
        if (apps.isEmpty()) {
            throw new IllegalArgumentException("a pod needs at least one app");
        }
        Duplicates.reject(apps, PodApp::name, "app");
        Duplicates.reject(apps.stream().flatMap(a -> a.app().stream()).flatMap(a -> a.ports().stream()).toList(),
                Port::name, "app port name in pod");
        volumes = List.copyOf(volumes);
        Duplicates.reject(volumes, Volume::name, "volume");
        isolators = List.copyOf(isolators);
        IsolatorChecks.rejectListProblems(isolators.stream().map(i -> i.name().value()).toList(),
                IsolatorChecks.Scope.POD);
        requireAcNames(annotations);
        ports = List.copyOf(ports);
        Duplicates.reject(ports, ExposedPort::name, "exposed port");
        userAnnotations = App.copyStrings(userAnnotations, "user annotation");
        userLabels = App.copyStrings(userLabels, "user label");
    }

    static void requireAcNames(Annotations annotations) {
        for (String name : annotations.asMap().keySet()) {
            String problem = AcName.problem(name);
            if (problem != null) {
                throw new IllegalArgumentException("pod annotation names are AC Names: " + problem);
            }
        }
    }

    public AcKind acKind() {
        return AcKind.POD_MANIFEST;
    }

    /** Whether every app names its image by ID and every mount resolves to a volume, so the pod can run. */
    public boolean isReified() {
        return apps.stream().allMatch(a -> a.image().id().isPresent()
                && a.mounts().stream().allMatch(m -> m.appVolume().isPresent() || volume(m.volume()).isPresent()));
    }

    public Optional<PodApp> app(AcName name) {
        return apps.stream().filter(a -> a.name().equals(name)).findFirst();
    }

    public Optional<Volume> volume(AcName name) {
        return volumes.stream().filter(v -> v.name().equals(name)).findFirst();
    }

    /** The volume a mount uses: its appVolume, else the pod volume it names. */
    public Optional<Volume> volumeFor(Mount mount) {
        return mount.appVolume().or(() -> volume(mount.volume()));
    }

    /** The pod isolator of the given type, e.g. {@code isolator(Isolator.Memory.class)}. */
    public <T extends Isolator> Optional<T> isolator(Class<T> type) {
        return isolators.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** A builder with {@link AcVersion#SUPPORTED} as acVersion. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link PodManifest}; {@link #build()} throws IllegalArgumentException naming what is invalid. */
    public static final class Builder {
        private AcVersion acVersion = AcVersion.SUPPORTED;
        private final List<PodApp> apps = new ArrayList<>();
        private final List<Volume> volumes = new ArrayList<>();
        private final List<Isolator> isolators = new ArrayList<>();
        private final Map<String, String> annotations = new LinkedHashMap<>();
        private final List<ExposedPort> ports = new ArrayList<>();
        private final Map<String, String> userAnnotations = new LinkedHashMap<>();
        private final Map<String, String> userLabels = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder acVersion(AcVersion version) {
            acVersion = version;
            return this;
        }

        public Builder app(PodApp app) {
            apps.add(app);
            return this;
        }

        public Builder volume(Volume volume) {
            volumes.add(volume);
            return this;
        }

        public Builder isolator(Isolator isolator) {
            isolators.add(isolator);
            return this;
        }

        public Builder annotation(String name, String value) {
            annotations.put(name, value);
            return this;
        }

        public Builder port(ExposedPort port) {
            ports.add(port);
            return this;
        }

        public Builder userAnnotation(String name, String value) {
            userAnnotations.put(name, value);
            return this;
        }

        public Builder userLabel(String name, String value) {
            userLabels.put(name, value);
            return this;
        }

        public PodManifest build() {
            return new PodManifest(acVersion, apps, volumes, isolators, Annotations.of(annotations), ports,
                    userAnnotations, userLabels);
        }
    }
}
