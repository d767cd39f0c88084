package dev.rkj.api.cli;

import dev.rkj.engine.appc.App;
import dev.rkj.engine.appc.EnvVar;
import dev.rkj.engine.appc.Isolator;
import dev.rkj.engine.appc.LinuxCapability;
import dev.rkj.engine.appc.ManifestCodec;
import dev.rkj.engine.appc.ManifestException;
import dev.rkj.engine.appc.Mount;
import dev.rkj.engine.appc.PodApp;
import dev.rkj.engine.appc.PodManifest;
import dev.rkj.engine.appc.RuntimeImage;
import dev.rkj.engine.appc.Volume;
import dev.rkj.engine.pod.PodSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An appc pod manifest given with {@code rkj run --pod-manifest FILE} (rkt's flag): its apps become
 * the pod's apps, each image named by its id when the manifest gives one, else by its name and
 * labels; an app section's exec, user, group, working directory, environment, memory and CPU
 * limits, capability and seccomp sets override the image's, as the per-app flags do; its mounts,
 * {@code readOnlyRootFS} and volumes are the pod's.
 */
final class PodManifestFile {
    private final Path file;
    private final PodManifest manifest;

    private PodManifestFile(Path file, PodManifest manifest) {
        this.file = file;
        this.manifest = manifest;
    }

    /** The manifest in {@code file}; refused in one line naming the file and the problem. */
    static PodManifestFile read(Path file) {
        try {
            return new PodManifestFile(file, ManifestCodec.parsePodTemplate(Files.readAllBytes(file)));
        } catch (NoSuchFileException e) {
            throw new CliException("--pod-manifest " + file + ": it does not exist");
        } catch (IOException e) {
            throw new CliException("--pod-manifest " + file + " cannot be read: " + e.getMessage(), e);
        } catch (ManifestException e) {
            dev.rkj.engine.appc.Problem first = e.problems().isEmpty() ? null : e.problems().get(0);
            throw new CliException("--pod-manifest " + file + " is not a valid pod manifest: " + (first == null
                    ? e.getMessage().lines().findFirst().orElse("") : first.jsonPath() + ": " + first.message())
                    + (e.problems().size() > 1 ? " (and " + (e.problems().size() - 1) + " more)" : ""));
        }
    }

    /** The pod's apps, each with {@code env} under its own environment. */
    List<PodSpec.AppSpec> apps(Map<String, String> env) {
        if (manifest.apps().isEmpty()) {
            throw new CliException("--pod-manifest " + file + " has no app: list at least one under \"apps\"");
        }
        List<PodSpec.AppSpec> apps = new ArrayList<>();
        for (PodApp podApp : manifest.apps()) {
            String name = podApp.name().value();
            List<PodSpec.Mount> mounts = new ArrayList<>();
            for (Mount m : podApp.mounts()) {
                mounts.add(new PodSpec.Mount(m.volume().value(), m.path()));
            }
            Map<String, String> appEnv = new LinkedHashMap<>(env);
            String exec = null;
            List<String> args = List.of();
            String user = null;
            String group = null;
            String workingDir = null;
            Long memory = null;
            Long cpu = null;
            Set<String> retain = Set.of();
            Set<String> remove = Set.of();
            PodSpec.Seccomp seccomp = null;
            if (podApp.app().isPresent()) {
                App app = podApp.app().get();
                if (!app.exec().isEmpty()) {
                    exec = app.exec().get(0);
                    args = app.exec().subList(1, app.exec().size());
                }
                user = app.user();
                group = app.group();
                workingDir = app.workingDirectory();
                for (EnvVar v : app.environment()) {
                    appEnv.put(v.name(), v.value());
                }
                memory = app.isolator(Isolator.Memory.class).flatMap(m -> boxed(m.limitBytes())).orElse(null);
                cpu = app.isolator(Isolator.Cpu.class).flatMap(c -> boxed(c.limitMillis())).orElse(null);
                retain = app.isolator(Isolator.CapabilitiesRetain.class).map(r -> names(r.set())).orElse(Set.of());
                remove = app.isolator(Isolator.CapabilitiesRemove.class).map(r -> names(r.set())).orElse(Set.of());
                seccomp = app.isolator(Isolator.SeccompRetain.class)
                        .map(r -> new PodSpec.Seccomp(PodSpec.SeccompMode.RETAIN, r.errno().orElse(null), r.set()))
                        .or(() -> app.isolator(Isolator.SeccompRemove.class).map(r -> new PodSpec.Seccomp(
                                PodSpec.SeccompMode.REMOVE, r.errno().orElse(null), r.set())))
                        .orElse(null);
            }
            try {
                apps.add(new PodSpec.AppSpec(imageRef(podApp), name, exec, args, appEnv, user, group, workingDir, memory,
                        cpu, retain, remove, seccomp, podApp.readOnlyRootFs(), mounts));
            } catch (IllegalArgumentException e) {
                throw new CliException("--pod-manifest " + file + ": app " + name + ": " + e.getMessage());
            }
        }
        return apps;
    }

    /** The pod's volumes. */
    List<PodSpec.Volume> volumes() {
        List<PodSpec.Volume> volumes = new ArrayList<>();
        for (Volume v : manifest.volumes()) {
            try {
                volumes.add(v.kind() == Volume.Kind.HOST
                        ? PodSpec.Volume.host(v.name().value(), v.source().orElse(null), v.readOnly(), v.recursive())
                        : new PodSpec.Volume(v.name().value(), PodSpec.VolumeKind.EMPTY, null, v.readOnly(), null,
                                String.format("%04o", v.mode()), v.uid(), v.gid()));
            } catch (IllegalArgumentException e) {
                throw new CliException("--pod-manifest " + file + ": " + e.getMessage());
            }
        }
        return volumes;
    }

    private String imageRef(PodApp app) {
        RuntimeImage image = app.image();
        if (image.id().isPresent()) {
            return image.id().get().toString();
        }
        if (image.name().isEmpty()) {
            throw new CliException("--pod-manifest " + file + ": app " + app.name().value()
                    + " names its image by neither id nor name: give \"image\": {\"id\": ...} or {\"name\": ...}");
        }
        StringBuilder ref = new StringBuilder(image.name().get().toString());
        image.labels().asMap().forEach((k, v) -> ref.append(',').append(k).append('=').append(v));
        return ref.toString();
    }

    private static java.util.Optional<Long> boxed(java.util.OptionalLong value) {
        return value.isPresent() ? java.util.Optional.of(value.getAsLong()) : java.util.Optional.empty();
    }

    private static Set<String> names(List<LinuxCapability> caps) {
        Set<String> names = new LinkedHashSet<>();
        caps.forEach(c -> names.add(c.name()));
        return names;
    }
}
