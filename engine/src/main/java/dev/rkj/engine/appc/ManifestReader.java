package dev.rkj.engine.appc;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.engine.appc.wire.AppcJson;
import dev.rkj.engine.appc.wire.AppDto;
import dev.rkj.engine.appc.wire.CapabilitiesValueDto;
import dev.rkj.engine.appc.wire.DependencyDto;
import dev.rkj.engine.appc.wire.EventHandlerDto;
import dev.rkj.engine.appc.wire.ExposedPortDto;
import dev.rkj.engine.appc.wire.ImageManifestDto;
import dev.rkj.engine.appc.wire.IsolatorDto;
import dev.rkj.engine.appc.wire.MountDto;
import dev.rkj.engine.appc.wire.MountPointDto;
import dev.rkj.engine.appc.wire.NameValueDto;
import dev.rkj.engine.appc.wire.PodManifestDto;
import dev.rkj.engine.appc.wire.PortDto;
import dev.rkj.engine.appc.wire.ResourceValueDto;
import dev.rkj.engine.appc.wire.RuntimeAppDto;
import dev.rkj.engine.appc.wire.RuntimeImageDto;
import dev.rkj.engine.appc.wire.SeccompValueDto;
import dev.rkj.engine.appc.wire.VolumeDto;
import dev.rkj.engine.appc.wire.WireShape;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Turns manifest JSON into the model, collecting every problem with its JSON path rather than
 * stopping at the first. One instance reads one document.
 */
final class ManifestReader {
    private static final String REQUIRED = "required";

    private final List<Problem> problems = new ArrayList<>();
    private final Set<String> reportedPaths = new HashSet<>();
    /** Counts problems found while reading, including missing values already reported by the shape check. */
    private int failures;

    List<Problem> problems() {
        return problems;
    }

    private void add(String path, String message) {
        problems.add(new Problem(path, message));
        reportedPaths.add(path);
        failures++;
    }

    /**
     * Records that a value is missing, unless a problem was already reported at {@code path}: the
     * shape check nulls out values of the wrong type, which then look missing.
     */
    private void missing(String path, String message) {
        if (reportedPaths.contains(path)) {
            failures++;
        } else {
            add(path, message);
        }
    }

    /** {@link #missing} for the message "required", {@link #add} for any other. */
    private void report(String path, String message) {
        if (REQUIRED.equals(message)) {
            missing(path, message);
        } else {
            add(path, message);
        }
    }

    // ---- JSON text and shape ---------------------------------------------------------------

    /** The tree of {@code json}, or null after recording a syntax problem. */
    JsonNode tree(byte[] json) {
        try {
            JsonNode tree = AppcJson.readTree(json);
            if (tree == null || tree.isMissingNode()) {
                add("$", "empty document: expected a JSON object");
                return null;
            }
            return tree;
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            add("$", "malformed JSON" + where + ": " + e.getOriginalMessage());
            return null;
        } catch (IOException e) {
            add("$", "unreadable JSON: " + e.getMessage());
            return null;
        }
    }

    /** {@code tree} bound to {@code dtoClass} after its shape was checked, or null. */
    <T> T bind(JsonNode tree, Class<T> dtoClass, String path) {
        JsonNode clean = WireShape.check(tree, dtoClass, path, this::add);
        if (clean.isNull()) {
            return null;
        }
        try {
            return AppcJson.bind(clean, dtoClass);
        } catch (IOException e) {
            add(path, "could not be read: " + e.getMessage());
            return null;
        }
    }

    // ---- manifests ------------------------------------------------------------------------

    ImageManifest image(ImageManifestDto d) {
        int before = failures;
        kind(d.acKind, "$.acKind", AcKind.IMAGE_MANIFEST);
        AcVersion acVersion = acVersion(d.acVersion, "$.acVersion");
        AcIdentifier name = parse(d.name, "$.name", true, AcIdentifier::parse);
        Labels labels = labels(d.labels, "$.labels");
        App app = d.app == null ? null : app(d.app, "$.app");
        List<Dependency> dependencies = each(d.dependencies, "$.dependencies", this::dependency);
        List<String> whitelist = each(d.pathWhitelist, "$.pathWhitelist", this::absolutePath);
        Annotations annotations = annotations(d.annotations, "$.annotations", false, true);
        if (failures > before) {
            return null;
        }
        return build("$", () -> new ImageManifest(acVersion, name, labels, Optional.ofNullable(app), dependencies,
                whitelist, annotations));
    }

    PodManifest pod(PodManifestDto d, boolean reified) {
        int before = failures;
        kind(d.acKind, "$.acKind", AcKind.POD_MANIFEST);
        AcVersion acVersion = acVersion(d.acVersion, "$.acVersion");
        Set<String> volumeNames = new HashSet<>();
        if (d.volumes != null) {
            d.volumes.stream().filter(v -> v != null && v.name != null).forEach(v -> volumeNames.add(v.name));
        }
        if (d.apps == null) {
            missing("$.apps", REQUIRED);
        } else if (d.apps.isEmpty()) {
            add("$.apps", "must list at least one app");
        }
        List<PodApp> apps = each(d.apps, "$.apps", (a, p) -> podApp(a, p, volumeNames, reified));
        unique(d.apps, "$.apps", a -> a.name, "name", "app name");
        uniqueAppPorts(d.apps);
        List<Volume> volumes = each(d.volumes, "$.volumes", this::volume);
        unique(d.volumes, "$.volumes", v -> v.name, "name", "volume name");
        List<Isolator> isolators = isolators(d.isolators, "$.isolators", IsolatorChecks.Scope.POD);
        Annotations annotations = annotations(d.annotations, "$.annotations", true, false);
        List<ExposedPort> ports = each(d.ports, "$.ports", this::exposedPort);
        unique(d.ports, "$.ports", p -> p.name, "name", "port name");
        Map<String, String> userAnnotations = stringMap(d.userAnnotations);
        Map<String, String> userLabels = stringMap(d.userLabels);
        if (failures > before) {
            return null;
        }
        return build("$", () -> new PodManifest(acVersion, apps, volumes, isolators, annotations, ports,
                userAnnotations, userLabels));
    }

    private void kind(String value, String path, AcKind expected) {
        AcKind kind = parse(value, path, true, AcKind::parse);
        if (kind != null && !kind.equals(expected)) {
            add(path, "is " + Quote.of(value) + ", expected " + Quote.of(expected.value()));
        }
    }

    private AcVersion acVersion(String value, String path) {
        AcVersion version = parse(value, path, true, AcVersion::parse);
        String problem = version == null ? null : ImageManifest.acVersionProblem(version);
        if (problem != null) {
            add(path, problem);
            return null;
        }
        return version;
    }

    // ---- labels and annotations -------------------------------------------------------------

    private Labels labels(List<NameValueDto> in, String path) {
        if (in == null) {
            return Labels.EMPTY;
        }
        int before = failures;
        Map<String, String> map = new LinkedHashMap<>();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < in.size(); i++) {
            NameValueDto item = in.get(i);
            if (item == null) {
                continue;
            }
            String at = path + "[" + i + "]";
            String problem = item.name == null ? REQUIRED : Labels.nameProblem(item.name);
            if (problem != null) {
                report(at + ".name", problem);
            }
            if (item.value == null) {
                missing(at + ".value", REQUIRED);
            }
            if (problem == null && item.value != null) {
                Integer first = index.putIfAbsent(item.name, i);
                if (first != null) {
                    add(at + ".name", "duplicate label " + Quote.of(item.name)
                            + " (first at " + path + "[" + first + "])");
                } else {
                    map.put(item.name, item.value);
                }
            }
        }
        map.forEach((name, value) -> {
            String problem = Labels.valueProblem(name, value, map);
            if (problem != null) {
                add(path + "[" + index.get(name) + "].value", problem);
            }
        });
        return failures > before ? null : build(path, () -> Labels.of(map));
    }

    /** Annotations; names are AC Names in pods, AC Identifiers in images, which also check recognised values. */
    private Annotations annotations(List<NameValueDto> in, String path, boolean acNames, boolean image) {
        if (in == null) {
            return Annotations.EMPTY;
        }
        int before = failures;
        Map<String, String> map = new LinkedHashMap<>();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < in.size(); i++) {
            NameValueDto item = in.get(i);
            if (item == null) {
                continue;
            }
            String at = path + "[" + i + "]";
            String problem = item.name == null ? REQUIRED
                    : acNames ? AcName.problem(item.name) : AcIdentifier.problem(item.name);
            if (problem != null) {
                report(at + ".name", problem);
            }
            if (item.value == null) {
                missing(at + ".value", REQUIRED);
            } else if (image && problem == null && ImageManifest.annotationProblem(item.name, item.value) != null) {
                add(at + ".value", ImageManifest.annotationProblem(item.name, item.value));
            }
            if (problem == null && item.value != null) {
                Integer first = index.putIfAbsent(item.name, i);
                if (first != null) {
                    add(at + ".name", "duplicate annotation " + Quote.of(item.name)
                            + " (first at " + path + "[" + first + "])");
                } else {
                    map.put(item.name, item.value);
                }
            }
        }
        return failures > before ? null : build(path, () -> Annotations.of(map));
    }

    // ---- app -------------------------------------------------------------------------------

    private App app(AppDto d, String path) {
        int before = failures;
        List<String> exec = exec(d.exec, path + ".exec", false);
        String user = nonEmpty(d.user, path + ".user", "a user name, a numeric UID or an absolute path, e.g. 0");
        String group = nonEmpty(d.group, path + ".group", "a group name, a numeric GID or an absolute path, e.g. 0");
        List<Long> gids = each(d.supplementaryGIDs, path + ".supplementaryGIDs", (gid, p) -> {
            String problem = App.idProblem(gid);
            if (problem != null) {
                add(p, problem);
            }
            return gid;
        });
        List<EventHandler> handlers = each(d.eventHandlers, path + ".eventHandlers", this::eventHandler);
        unique(d.eventHandlers, path + ".eventHandlers", h -> h.name, "name", "event handler");
        String workingDirectory = d.workingDirectory == null ? App.DEFAULT_WORKING_DIRECTORY
                : absolutePath(d.workingDirectory, path + ".workingDirectory");
        List<EnvVar> environment = each(d.environment, path + ".environment", this::envVar);
        unique(d.environment, path + ".environment", e -> e.name, "name", "environment variable");
        List<Isolator> isolators = isolators(d.isolators, path + ".isolators", IsolatorChecks.Scope.APP);
        List<MountPoint> mountPoints = each(d.mountPoints, path + ".mountPoints", this::mountPoint);
        unique(d.mountPoints, path + ".mountPoints", m -> m.name, "name", "mount point");
        List<Port> ports = each(d.ports, path + ".ports", this::port);
        unique(d.ports, path + ".ports", p -> p.name, "name", "port");
        Map<String, String> userAnnotations = stringMap(d.userAnnotations);
        Map<String, String> userLabels = stringMap(d.userLabels);
        if (failures > before) {
            return null;
        }
        return build(path, () -> new App(exec, user, group, gids, handlers, workingDirectory, environment,
                isolators, mountPoints, ports, userAnnotations, userLabels));
    }

    private List<String> exec(List<String> in, String path, boolean required) {
        if (in == null || in.isEmpty()) {
            if (required) {
                if (in == null) {
                    missing(path, REQUIRED);
                } else {
                    add(path, "must not be empty: give the command to run");
                }
            }
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            String arg = in.get(i);
            if (arg == null) {
                continue;
            }
            if (i == 0 && arg.isEmpty()) {
                add(path + "[0]", "must not be empty: give the command to run");
            } else if (Paths.nulProblem(arg) != null) {
                add(path + "[" + i + "]", Paths.nulProblem(arg));
            }
            out.add(arg);
        }
        return out;
    }

    private EventHandler eventHandler(EventHandlerDto d, String path) {
        int before = failures;
        EventHandler.Kind kind = null;
        if (d.name == null) {
            missing(path + ".name", REQUIRED);
        } else {
            kind = EventHandler.Kind.byWireName(d.name).orElse(null);
            if (kind == null) {
                add(path + ".name", Quote.of(d.name) + " is not an event: use pre-start or post-stop");
            }
        }
        List<String> exec = exec(d.exec, path + ".exec", true);
        if (failures > before) {
            return null;
        }
        EventHandler.Kind k = kind;
        return build(path, () -> new EventHandler(k, exec));
    }

    private EnvVar envVar(NameValueDto d, String path) {
        int before = failures;
        String problem = d.name == null ? REQUIRED : EnvVar.nameProblem(d.name);
        if (problem != null) {
            report(path + ".name", problem);
        }
        if (d.value == null) {
            missing(path + ".value", REQUIRED);
        } else if (Paths.nulProblem(d.value) != null) {
            add(path + ".value", Paths.nulProblem(d.value));
        }
        return failures > before ? null : build(path, () -> new EnvVar(d.name, d.value));
    }

    private MountPoint mountPoint(MountPointDto d, String path) {
        int before = failures;
        AcName name = parse(d.name, path + ".name", true, AcName::parse);
        String mountPath = d.path == null ? required(path + ".path") : absolutePath(d.path, path + ".path");
        boolean readOnly = Boolean.TRUE.equals(d.readOnly);
        return failures > before ? null : build(path, () -> new MountPoint(name, mountPath, readOnly));
    }

    private Port port(PortDto d, String path) {
        int before = failures;
        AcName name = parse(d.name, path + ".name", true, AcName::parse);
        String protocol = nonEmpty(d.protocol, path + ".protocol", "e.g. tcp or udp");
        if (d.port == null) {
            missing(path + ".port", REQUIRED);
        } else if (Port.portProblem(d.port) != null) {
            add(path + ".port", Port.portProblem(d.port));
        }
        long count = d.count == null ? 1 : d.count;
        if (d.port != null && Port.portProblem(d.port) == null && Port.countProblem(d.port, count) != null) {
            add(path + ".count", Port.countProblem(d.port, count));
        }
        if (failures > before) {
            return null;
        }
        return build(path, () -> new Port(name, protocol, d.port.intValue(), (int) count,
                Boolean.TRUE.equals(d.socketActivated)));
    }

    // ---- isolators -------------------------------------------------------------------------

    private List<Isolator> isolators(List<IsolatorDto> in, String path, IsolatorChecks.Scope scope) {
        if (in == null) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        in.forEach(i -> names.add(i == null || !AcIdentifier.isValid(i.name) ? null : i.name));
        IsolatorChecks.listProblems(names, scope, (i, message) -> add(path + "[" + i + "].name", message));
        return each(in, path, this::isolator);
    }

    private Isolator isolator(IsolatorDto d, String path) {
        AcIdentifier name = parse(d.name, path + ".name", true, AcIdentifier::parse);
        String at = path + ".value";
        if (d.value == null || d.value.isNull()) {
            missing(at, REQUIRED);
            return null;
        }
        if (name == null) {
            return null;
        }
        return switch (name.value()) {
            case Isolator.RESOURCE_CPU, Isolator.RESOURCE_MEMORY -> resource(name.value(), d.value, at);
            case Isolator.CAPABILITIES_RETAIN_SET, Isolator.CAPABILITIES_REMOVE_SET ->
                    capabilities(name.value(), d.value, at);
            case Isolator.NO_NEW_PRIVILEGES -> {
                if (!d.value.isBoolean()) {
                    add(at, "must be true or false");
                    yield null;
                }
                yield new Isolator.NoNewPrivileges(d.value.booleanValue());
            }
            case Isolator.SECCOMP_RETAIN_SET, Isolator.SECCOMP_REMOVE_SET -> seccomp(name.value(), d.value, at);
            default -> new Isolator.Other(name, AppcJson.writeCompact(d.value));
        };
    }

    private Isolator resource(String name, JsonNode value, String path) {
        ResourceValueDto d = bind(value, ResourceValueDto.class, path);
        if (d == null) {
            return null;
        }
        int before = failures;
        boolean cpu = name.equals(Isolator.RESOURCE_CPU);
        Quantity request = quantity(d.request, path + ".request", cpu);
        Quantity limit = quantity(d.limit, path + ".limit", cpu);
        if (failures > before) {
            return null;
        }
        if (d.request == null && d.limit == null) {
            add(path, name + " needs a limit or a request, e.g. {\"limit\": \"" + (cpu ? "500m" : "1G") + "\"}");
        } else if (limit != null && limit.value().signum() == 0) {
            add(path + ".limit", "must be more than 0");
        } else if (request != null && limit != null && request.compareTo(limit) > 0) {
            add(path + ".request", "request " + request + " is more than the limit " + limit
                    + ": the request must not exceed the limit");
        }
        if (failures > before) {
            return null;
        }
        Optional<Quantity> r = Optional.ofNullable(request);
        Optional<Quantity> l = Optional.ofNullable(limit);
        return build(path, () -> cpu ? new Isolator.Cpu(r, l) : new Isolator.Memory(r, l));
    }

    private Quantity quantity(String text, String path, boolean millis) {
        Quantity q = parse(text, path, false, Quantity::parse);
        if (q != null) {
            try {
                IsolatorChecks.wholeUnits(q, millis);
            } catch (IllegalArgumentException e) {
                add(path, e.getMessage());
                return null;
            }
        }
        return q;
    }

    /** An isolator's {@code set}: required, and naming at least one {@code what}. */
    private void requireNonEmptySet(List<String> set, String path, String what) {
        if (set == null) {
            missing(path, REQUIRED);
        } else if (set.isEmpty()) {
            add(path, "must name at least one " + what);
        }
    }

    private Isolator capabilities(String name, JsonNode value, String path) {
        CapabilitiesValueDto d = bind(value, CapabilitiesValueDto.class, path);
        if (d == null) {
            return null;
        }
        int before = failures;
        requireNonEmptySet(d.set, path + ".set", "capability, e.g. CAP_NET_BIND_SERVICE");
        List<LinuxCapability> set = each(d.set, path + ".set", (s, p) -> {
            Optional<LinuxCapability> cap = LinuxCapability.byName(s);
            if (cap.isEmpty()) {
                add(p, Quote.of(s) + " is not a Linux capability: use a CAP_* name such as CAP_NET_ADMIN");
            }
            return cap.orElse(null);
        });
        if (failures > before) {
            return null;
        }
        return build(path, () -> name.equals(Isolator.CAPABILITIES_RETAIN_SET)
                ? new Isolator.CapabilitiesRetain(set) : new Isolator.CapabilitiesRemove(set));
    }

    private Isolator seccomp(String name, JsonNode value, String path) {
        SeccompValueDto d = bind(value, SeccompValueDto.class, path);
        if (d == null) {
            return null;
        }
        int before = failures;
        requireNonEmptySet(d.set, path + ".set", "syscall, e.g. reboot");
        List<String> set = each(d.set, path + ".set", (s, p) -> {
            String problem = IsolatorChecks.syscallProblem(s);
            if (problem != null) {
                add(p, problem);
            }
            return s;
        });
        Optional<String> errno = Optional.ofNullable(d.errno).filter(e -> !e.isEmpty());
        errno.map(IsolatorChecks::errnoProblem).ifPresent(problem -> add(path + ".errno", problem));
        if (failures > before) {
            return null;
        }
        return build(path, () -> name.equals(Isolator.SECCOMP_RETAIN_SET)
                ? new Isolator.SeccompRetain(set, errno) : new Isolator.SeccompRemove(set, errno));
    }

    // ---- image dependencies ----------------------------------------------------------------

    private Dependency dependency(DependencyDto d, String path) {
        int before = failures;
        AcIdentifier name = parse(d.imageName, path + ".imageName", true, AcIdentifier::parse);
        String id = parse(d.imageID, path + ".imageID", false, Dependency::checkImageIdText);
        Labels labels = labels(d.labels, path + ".labels");
        if (d.size != null && d.size < 0) {
            add(path + ".size", "must not be negative");
        }
        if (failures > before) {
            return null;
        }
        return build(path, () -> new Dependency(name, Optional.ofNullable(id), labels,
                d.size == null ? OptionalLong.empty() : OptionalLong.of(d.size)));
    }

    // ---- pods ------------------------------------------------------------------------------

    private PodApp podApp(RuntimeAppDto d, String path, Set<String> volumeNames, boolean reified) {
        int before = failures;
        AcName name = parse(d.name, path + ".name", true, AcName::parse);
        RuntimeImage image = d.image == null ? required(path + ".image")
                : runtimeImage(d.image, path + ".image", reified);
        App app = d.app == null ? null : app(d.app, path + ".app");
        List<Mount> mounts = each(d.mounts, path + ".mounts", (m, p) -> mount(m, p, volumeNames, reified));
        Annotations annotations = annotations(d.annotations, path + ".annotations", true, false);
        if (failures > before) {
            return null;
        }
        boolean readOnlyRootFs = Boolean.TRUE.equals(d.readOnlyRootFS);
        return build(path, () -> new PodApp(name, image, Optional.ofNullable(app), readOnlyRootFs, mounts,
                annotations));
    }

    private RuntimeImage runtimeImage(RuntimeImageDto d, String path, boolean reified) {
        int before = failures;
        ImageId id = parse(d.id, path + ".id", false, ImageId::parse);
        if (d.id == null && reified) {
            missing(path + ".id", REQUIRED + " to run the pod: resolve the image's name and labels to its sha512 ID"
                    + " (or read this manifest as a template)");
        }
        AcIdentifier name = parse(d.name, path + ".name", false, AcIdentifier::parse);
        Labels labels = labels(d.labels, path + ".labels");
        if (d.id == null && d.name == null && !reified) {
            add(path, "needs an id, or at least a name to resolve one");
        }
        if (failures > before) {
            return null;
        }
        return build(path, () -> new RuntimeImage(Optional.ofNullable(name), Optional.ofNullable(id), labels));
    }

    private Mount mount(MountDto d, String path, Set<String> volumeNames, boolean reified) {
        int before = failures;
        AcName volume = parse(d.volume, path + ".volume", true, AcName::parse);
        String mountPath = d.path == null ? required(path + ".path") : absolutePath(d.path, path + ".path");
        Volume appVolume = d.appVolume == null ? null : volume(d.appVolume, path + ".appVolume");
        if (reified && volume != null && d.appVolume == null && !volumeNames.contains(d.volume)) {
            add(path + ".volume", "no volume named " + Quote.of(d.volume)
                    + " in $.volumes: add it there or give this mount an appVolume");
        }
        if (failures > before) {
            return null;
        }
        return build(path, () -> new Mount(volume, mountPath, Optional.ofNullable(appVolume)));
    }

    private Volume volume(VolumeDto d, String path) {
        int before = failures;
        AcName name = parse(d.name, path + ".name", true, AcName::parse);
        Volume.Kind kind = null;
        if (d.kind == null) {
            missing(path + ".kind", REQUIRED + ": empty or host");
        } else {
            kind = Volume.Kind.byWireName(d.kind).orElse(null);
            if (kind == null) {
                add(path + ".kind", Quote.of(d.kind) + " is not a volume kind: use empty or host");
            }
        }
        if (kind == Volume.Kind.HOST && d.source == null) {
            add(path + ".source", "required for a host volume: the absolute host path to bind");
        }
        String source = d.source == null ? null : absolutePath(d.source, path + ".source");
        Integer mode = d.mode == null ? Integer.valueOf(Volume.DEFAULT_MODE)
                : parse(d.mode, path + ".mode", true, Volume::parseMode);
        long uid = id(d.uid, path + ".uid");
        long gid = id(d.gid, path + ".gid");
        if (failures > before) {
            return null;
        }
        Volume.Kind k = kind;
        return build(path, () -> new Volume(name, k, Optional.ofNullable(source), Boolean.TRUE.equals(d.readOnly),
                !Boolean.FALSE.equals(d.recursive), mode, uid, gid));
    }

    private long id(Long value, String path) {
        if (value == null) {
            return 0;
        }
        if (App.idProblem(value) != null) {
            add(path, App.idProblem(value));
        }
        return value;
    }

    private ExposedPort exposedPort(ExposedPortDto d, String path) {
        int before = failures;
        AcName name = parse(d.name, path + ".name", true, AcName::parse);
        if (d.hostPort == null) {
            missing(path + ".hostPort", REQUIRED);
        } else if (Port.portProblem(d.hostPort) != null) {
            add(path + ".hostPort", Port.portProblem(d.hostPort));
        }
        if (d.hostIP != null && ExposedPort.hostIpProblem(d.hostIP) != null) {
            add(path + ".hostIP", ExposedPort.hostIpProblem(d.hostIP));
        }
        Port podPort = d.podPort == null ? null : port(d.podPort, path + ".podPort");
        if (failures > before) {
            return null;
        }
        return build(path, () -> new ExposedPort(name, d.hostPort.intValue(), Optional.ofNullable(d.hostIP),
                Optional.ofNullable(podPort)));
    }

    /** pods.md: port names must be unique among the apps of a pod. */
    private void uniqueAppPorts(List<RuntimeAppDto> apps) {
        if (apps == null) {
            return;
        }
        Map<String, String> first = new HashMap<>();
        for (int a = 0; a < apps.size(); a++) {
            RuntimeAppDto app = apps.get(a);
            if (app == null || app.app == null || app.app.ports == null) {
                continue;
            }
            Set<String> inThisApp = new HashSet<>();
            for (int i = 0; i < app.app.ports.size(); i++) {
                PortDto port = app.app.ports.get(i);
                if (port == null || port.name == null || !inThisApp.add(port.name)) {
                    continue; // repeats inside one app are reported with that app
                }
                String at = "$.apps[" + a + "].app.ports[" + i + "].name";
                String earlier = first.putIfAbsent(port.name, at);
                if (earlier != null) {
                    add(at, "port name " + Quote.of(port.name) + " is also used at " + earlier
                            + ": port names must be unique in a pod");
                }
            }
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    /** Records "required" at {@code path}; returns null for use in expressions. */
    private <T> T required(String path) {
        missing(path, REQUIRED);
        return null;
    }

    /** Parses {@code text} (absent allowed unless {@code required}); a parse failure becomes a problem. */
    private <T> T parse(String text, String path, boolean required, Function<String, T> parser) {
        if (text == null) {
            return required ? required(path) : null;
        }
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            add(path, e.getMessage());
            return null;
        }
    }

    private String nonEmpty(String value, String path, String hint) {
        if (value == null || value.isEmpty()) {
            if (value == null) {
                missing(path, REQUIRED + ": " + hint);
            } else {
                add(path, "must not be empty: " + hint);
            }
            return null;
        }
        return value;
    }

    private String absolutePath(String value, String path) {
        String problem = Paths.absoluteProblem(value);
        if (problem != null) {
            add(path, problem);
        }
        return value;
    }

    /** Reads each non-null item (nulls were reported by the shape check); keeps non-null results. */
    private <D, T> List<T> each(List<D> in, String path, Item<D, T> reader) {
        List<T> out = new ArrayList<>();
        if (in == null) {
            return out;
        }
        for (int i = 0; i < in.size(); i++) {
            D item = in.get(i);
            if (item != null) {
                T value = reader.read(item, path + "[" + i + "]");
                if (value != null) {
                    out.add(value);
                }
            }
        }
        return out;
    }

    /** Reports each repeated key of {@code items} at {@code path[i].field}. */
    private <D> void unique(List<D> items, String path, Function<D, String> key, String field, String what) {
        if (items == null) {
            return;
        }
        Duplicates.find(items, key, (i, first) -> add(path + "[" + i + "]." + field, "duplicate " + what + " "
                + Quote.of(key.apply(items.get(i))) + " (first at " + path + "[" + first + "])"));
    }

    private static Map<String, String> stringMap(Map<String, String> in) {
        return in == null ? Map.of() : in;
    }

    /** Constructs a model object; a rule it enforces that the reader missed becomes a problem at {@code path}. */
    private <T> T build(String path, Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException e) {
            add(path, e.getMessage());
            return null;
        }
    }

    @FunctionalInterface
    private interface Item<D, T> {
        T read(D item, String path);
    }
}
