package dev.rkj.engine.appc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How to run an image as an app (aci.md "app"), also used as a pod app's override (pods.md).
 * Always valid: user and group are non-empty, the working directory is absolute (default {@code /}),
 * environment names, event handler kinds, mount point and port names are unique, and isolators obey
 * the app-scope rules of ace.md.
 *
 * <p>{@code exec} may be empty (the pod may supply it); its first element may be a bare name, which
 * the executor looks up in PATH as the spec says.
 *
 * @param supplementaryGids unsigned 32-bit group IDs
 */
public record App(List<String> exec, String user, String group, List<Long> supplementaryGids,
                  List<EventHandler> eventHandlers, String workingDirectory, List<EnvVar> environment,
                  List<Isolator> isolators, List<MountPoint> mountPoints, List<Port> ports,
                  Map<String, String> userAnnotations, Map<String, String> userLabels) {
    public static final String DEFAULT_WORKING_DIRECTORY = "/";
    public static final long MAX_ID = 0xFFFF_FFFFL;

    public App {
        exec = List.copyOf(exec);
        String problem = execProblem(exec, false);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        requireNonEmpty(user, "user");
        requireNonEmpty(group, "group");
        supplementaryGids = List.copyOf(supplementaryGids);
        for (long gid : supplementaryGids) {
            if (idProblem(gid) != null) {
                throw new IllegalArgumentException("supplementary GID " + idProblem(gid));
            }
        }
        eventHandlers = List.copyOf(eventHandlers);
        Duplicates.reject(eventHandlers, EventHandler::kind, "event handler");
        Paths.requireAbsolute(workingDirectory);
        environment = List.copyOf(environment);
        Duplicates.reject(environment, EnvVar::name, "environment variable");
        isolators = List.copyOf(isolators);
        IsolatorChecks.rejectListProblems(isolators.stream().map(i -> i.name().value()).toList(),
                IsolatorChecks.Scope.APP);
        mountPoints = List.copyOf(mountPoints);
        Duplicates.reject(mountPoints, MountPoint::name, "mount point");
        ports = List.copyOf(ports);
        Duplicates.reject(ports, Port::name, "port");
        userAnnotations = copyStrings(userAnnotations, "user annotation");
        userLabels = copyStrings(userLabels, "user label");
    }

    /** A builder; {@code user} and {@code group} are required by the spec. */
    public static Builder builder(String user, String group) {
        return new Builder(user, group);
    }

    /** Why {@code exec} is not a usable command line, or null; a handler's exec must not be empty. */
    static String execProblem(List<String> exec, boolean required) {
        if (exec.isEmpty()) {
            return required ? "exec must not be empty: give the command to run" : null;
        }
        if (exec.get(0).isEmpty()) {
            return "the command (exec[0]) must not be empty";
        }
        for (String arg : exec) {
            String problem = Paths.nulProblem(arg);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    static String idProblem(long id) {
        return id >= 0 && id <= MAX_ID ? null : id + " is out of range: use 0 to " + MAX_ID;
    }

    private static void requireNonEmpty(String value, String field) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("app " + field + " is required: a name, a numeric ID or an"
                    + " absolute path inside the image");
        }
    }

    static Map<String, String> copyStrings(Map<String, String> map, String what) {
        map.forEach((k, v) -> {
            if (k == null || v == null) {
                throw new IllegalArgumentException(what + " " + Quote.of(k) + " needs a string value");
            }
        });
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    public Optional<EventHandler> eventHandler(EventHandler.Kind kind) {
        return eventHandlers.stream().filter(h -> h.kind() == kind).findFirst();
    }

    /** The isolator of the given type, e.g. {@code isolator(Isolator.Memory.class)}. */
    public <T extends Isolator> Optional<T> isolator(Class<T> type) {
        return isolators.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    public Optional<MountPoint> mountPoint(AcName name) {
        return mountPoints.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /** A builder pre-filled from this app, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder(user, group);
        b.exec.addAll(exec);
        b.supplementaryGids.addAll(supplementaryGids);
        b.eventHandlers.addAll(eventHandlers);
        b.workingDirectory = workingDirectory;
        b.environment.addAll(environment);
        b.isolators.addAll(isolators);
        b.mountPoints.addAll(mountPoints);
        b.ports.addAll(ports);
        b.userAnnotations.putAll(userAnnotations);
        b.userLabels.putAll(userLabels);
        return b;
    }

    /** Builds an {@link App}; {@link #build()} throws IllegalArgumentException naming what is invalid. */
    public static final class Builder {
        private final List<String> exec = new ArrayList<>();
        private String user;
        private String group;
        private final List<Long> supplementaryGids = new ArrayList<>();
        private final List<EventHandler> eventHandlers = new ArrayList<>();
        private String workingDirectory = DEFAULT_WORKING_DIRECTORY;
        private final List<EnvVar> environment = new ArrayList<>();
        private final List<Isolator> isolators = new ArrayList<>();
        private final List<MountPoint> mountPoints = new ArrayList<>();
        private final List<Port> ports = new ArrayList<>();
        private final Map<String, String> userAnnotations = new LinkedHashMap<>();
        private final Map<String, String> userLabels = new LinkedHashMap<>();

        private Builder(String user, String group) {
            this.user = user;
            this.group = group;
        }

        /** Replaces the command line. */
        public Builder exec(String... commandLine) {
            exec.clear();
            exec.addAll(Arrays.asList(commandLine));
            return this;
        }

        public Builder user(String value) {
            user = value;
            return this;
        }

        public Builder group(String value) {
            group = value;
            return this;
        }

        public Builder supplementaryGid(long gid) {
            supplementaryGids.add(gid);
            return this;
        }

        public Builder eventHandler(EventHandler.Kind kind, String... commandLine) {
            eventHandlers.add(new EventHandler(kind, List.of(commandLine)));
            return this;
        }

        public Builder workingDirectory(String path) {
            workingDirectory = path;
            return this;
        }

        public Builder env(String name, String value) {
            environment.add(new EnvVar(name, value));
            return this;
        }

        public Builder isolator(Isolator isolator) {
            isolators.add(isolator);
            return this;
        }

        public Builder mountPoint(String name, String path, boolean readOnly) {
            mountPoints.add(new MountPoint(AcName.parse(name), path, readOnly));
            return this;
        }

        public Builder port(Port port) {
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

        public App build() {
            return new App(exec, user, group, supplementaryGids, eventHandlers, workingDirectory, environment,
                    isolators, mountPoints, ports, userAnnotations, userLabels);
        }
    }
}
