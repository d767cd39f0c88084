package dev.rkj.engine.appc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rkj.engine.appc.wire.AppDto;
import dev.rkj.engine.appc.wire.AppcJson;
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
import dev.rkj.engine.appc.wire.RuntimeAppDto;
import dev.rkj.engine.appc.wire.RuntimeImageDto;
import dev.rkj.engine.appc.wire.VolumeDto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns the model into wire DTOs in canonical form: the spec's key spelling and order, and
 * optional fields left out when empty or at their default value (e.g. {@code readOnly: false},
 * {@code count: 1}, {@code workingDirectory: "/"}).
 */
final class ManifestWriter {
    private ManifestWriter() {
    }

    static ImageManifestDto image(ImageManifest m) {
        ImageManifestDto d = new ImageManifestDto();
        d.acKind = m.acKind().value();
        d.acVersion = m.acVersion().toString();
        d.name = m.name().value();
        d.labels = nameValues(m.labels().asMap());
        d.app = m.app().map(ManifestWriter::app).orElse(null);
        d.dependencies = list(m.dependencies(), ManifestWriter::dependency);
        d.pathWhitelist = list(m.pathWhitelist(), Function.identity());
        d.annotations = nameValues(m.annotations().asMap());
        return d;
    }

    static PodManifestDto pod(PodManifest m) {
        PodManifestDto d = new PodManifestDto();
        d.acKind = m.acKind().value();
        d.acVersion = m.acVersion().toString();
        d.apps = list(m.apps(), ManifestWriter::podApp);
        d.volumes = list(m.volumes(), ManifestWriter::volume);
        d.isolators = list(m.isolators(), ManifestWriter::isolator);
        d.annotations = nameValues(m.annotations().asMap());
        d.ports = list(m.ports(), ManifestWriter::exposedPort);
        d.userAnnotations = map(m.userAnnotations());
        d.userLabels = map(m.userLabels());
        return d;
    }

    static AppDto app(App a) {
        AppDto d = new AppDto();
        d.exec = list(a.exec(), Function.identity());
        d.user = a.user();
        d.group = a.group();
        d.supplementaryGIDs = list(a.supplementaryGids(), Function.identity());
        d.eventHandlers = list(a.eventHandlers(), h -> {
            EventHandlerDto e = new EventHandlerDto();
            e.name = h.kind().wireName();
            e.exec = new ArrayList<>(h.exec());
            return e;
        });
        d.workingDirectory = a.workingDirectory().equals(App.DEFAULT_WORKING_DIRECTORY) ? null : a.workingDirectory();
        d.environment = list(a.environment(), e -> nameValue(e.name(), e.value()));
        d.isolators = list(a.isolators(), ManifestWriter::isolator);
        d.mountPoints = list(a.mountPoints(), mp -> {
            MountPointDto m = new MountPointDto();
            m.name = mp.name().value();
            m.path = mp.path();
            m.readOnly = mp.readOnly() ? Boolean.TRUE : null;
            return m;
        });
        d.ports = list(a.ports(), ManifestWriter::port);
        d.userAnnotations = map(a.userAnnotations());
        d.userLabels = map(a.userLabels());
        return d;
    }

    private static PortDto port(Port p) {
        PortDto d = new PortDto();
        d.name = p.name().value();
        d.protocol = p.protocol();
        d.port = (long) p.port();
        d.count = p.count() == 1 ? null : (long) p.count();
        d.socketActivated = p.socketActivated() ? Boolean.TRUE : null;
        return d;
    }

    private static IsolatorDto isolator(Isolator i) {
        IsolatorDto d = new IsolatorDto();
        d.name = i.name().value();
        d.value = isolatorValue(i);
        return d;
    }

    private static JsonNode isolatorValue(Isolator i) {
        if (i instanceof Isolator.Cpu c) {
            return resource(c.request(), c.limit());
        } else if (i instanceof Isolator.Memory m) {
            return resource(m.request(), m.limit());
        } else if (i instanceof Isolator.CapabilitiesRetain c) {
            return capabilities(c.set());
        } else if (i instanceof Isolator.CapabilitiesRemove c) {
            return capabilities(c.set());
        } else if (i instanceof Isolator.NoNewPrivileges n) {
            return JsonNodeFactory.instance.booleanNode(n.enabled());
        } else if (i instanceof Isolator.SeccompRetain s) {
            return seccomp(s.set(), s.errno());
        } else if (i instanceof Isolator.SeccompRemove s) {
            return seccomp(s.set(), s.errno());
        } else if (i instanceof Isolator.Other o) {
            return parse(o.valueJson());
        }
        throw new IllegalStateException("unknown isolator type " + i.getClass().getName());
    }

    private static JsonNode resource(Optional<Quantity> request, Optional<Quantity> limit) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        request.ifPresent(q -> o.put("request", q.toString()));
        limit.ifPresent(q -> o.put("limit", q.toString()));
        return o;
    }

    private static JsonNode capabilities(List<LinuxCapability> set) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        set.forEach(c -> o.withArray("set").add(c.name()));
        return o;
    }

    private static JsonNode seccomp(List<String> set, Optional<String> errno) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        errno.ifPresent(e -> o.put("errno", e));
        set.forEach(s -> o.withArray("set").add(s));
        return o;
    }

    private static JsonNode parse(String json) {
        try {
            return AppcJson.readTree(json.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("an isolator value is not JSON: " + json, e);
        }
    }

    private static DependencyDto dependency(Dependency dep) {
        DependencyDto d = new DependencyDto();
        d.imageName = dep.imageName().value();
        d.imageID = dep.imageIdText().orElse(null);
        d.labels = nameValues(dep.labels().asMap());
        d.size = dep.size().isPresent() ? dep.size().getAsLong() : null;
        return d;
    }

    private static RuntimeAppDto podApp(PodApp a) {
        RuntimeAppDto d = new RuntimeAppDto();
        d.name = a.name().value();
        RuntimeImageDto image = new RuntimeImageDto();
        image.name = a.image().name().map(AcIdentifier::value).orElse(null);
        image.id = a.image().id().map(ImageId::toString).orElse(null);
        image.labels = nameValues(a.image().labels().asMap());
        d.image = image;
        d.app = a.app().map(ManifestWriter::app).orElse(null);
        d.readOnlyRootFS = a.readOnlyRootFs() ? Boolean.TRUE : null;
        d.mounts = list(a.mounts(), m -> {
            MountDto md = new MountDto();
            md.volume = m.volume().value();
            md.path = m.path();
            md.appVolume = m.appVolume().map(ManifestWriter::volume).orElse(null);
            return md;
        });
        d.annotations = nameValues(a.annotations().asMap());
        return d;
    }

    private static VolumeDto volume(Volume v) {
        VolumeDto d = new VolumeDto();
        d.name = v.name().value();
        d.kind = v.kind().wireName();
        d.source = v.source().orElse(null);
        d.readOnly = v.readOnly() ? Boolean.TRUE : null;
        d.recursive = v.recursive() ? null : Boolean.FALSE;
        d.mode = v.mode() == Volume.DEFAULT_MODE ? null : Volume.formatMode(v.mode());
        d.uid = v.uid() == 0 ? null : v.uid();
        d.gid = v.gid() == 0 ? null : v.gid();
        return d;
    }

    private static ExposedPortDto exposedPort(ExposedPort p) {
        ExposedPortDto d = new ExposedPortDto();
        d.name = p.name().value();
        d.hostPort = (long) p.hostPort();
        d.hostIP = p.hostIp().orElse(null);
        d.podPort = p.podPort().map(ManifestWriter::port).orElse(null);
        return d;
    }

    private static List<NameValueDto> nameValues(Map<String, String> map) {
        if (map.isEmpty()) {
            return null;
        }
        List<NameValueDto> out = new ArrayList<>();
        map.forEach((n, v) -> out.add(nameValue(n, v)));
        return out;
    }

    private static NameValueDto nameValue(String name, String value) {
        NameValueDto d = new NameValueDto();
        d.name = name;
        d.value = value;
        return d;
    }

    /** The mapped list, or null (left out) when empty. */
    private static <T, D> List<D> list(List<T> items, Function<T, D> f) {
        if (items.isEmpty()) {
            return null;
        }
        List<D> out = new ArrayList<>(items.size());
        items.forEach(i -> out.add(f.apply(i)));
        return out;
    }

    private static Map<String, String> map(Map<String, String> m) {
        return m.isEmpty() ? null : new LinkedHashMap<>(m);
    }
}
