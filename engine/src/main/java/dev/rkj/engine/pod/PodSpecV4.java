package dev.rkj.engine.pod;

import dev.rkj.engine.pod.PodSpec.InsecureOption;
import dev.rkj.engine.pod.PodSpec.NetMode;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The single-image pod spec, as {@code pod.created/1} to {@code /4} hold it: one image makes one
 * app, and the app-level overrides apply to that app. Version 1 lacks {@code capsRetain},
 * {@code capsRemove} and {@code pidsLimit}; versions 1 and 2 lack {@code appName}, {@code user},
 * {@code group} and {@code workingDir}: they read as {@code null} (their defaults). Never written any
 * more; read as its {@link #upcast()}, a {@link PodSpec} of one app.
 */
public record PodSpecV4(
        String imageRef,
        String exec,
        List<String> args,
        Map<String, String> env,
        String hostname,
        NetMode net,
        Long memoryLimitBytes,
        Long cpuLimitMillis,
        boolean interactive,
        Set<InsecureOption> insecureOptions,
        Set<String> capsRetain,
        Set<String> capsRemove,
        Long pidsLimit,
        String appName,
        String user,
        String group,
        String workingDir) {

    public PodSpecV4 {
        args = args == null ? List.of() : args;
        env = env == null ? Map.of() : env;
        insecureOptions = insecureOptions == null ? Set.of() : insecureOptions;
        capsRetain = capsRetain == null ? Set.of() : capsRetain;
        capsRemove = capsRemove == null ? Set.of() : capsRemove;
    }

    /** The same request as a pod spec of one app. */
    public PodSpec upcast() {
        return new PodSpec(imageRef, exec, args, env, hostname, net == null ? NetMode.NONE : net.beforeCni(), memoryLimitBytes, cpuLimitMillis, interactive,
                insecureOptions, capsRetain, capsRemove, pidsLimit, appName, user, group, workingDir);
    }
}
