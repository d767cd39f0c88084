package dev.rkj.engine.pod;

import dev.rkj.engine.pod.PodSpec.AppSpec;
import dev.rkj.engine.pod.PodSpec.InsecureOption;
import dev.rkj.engine.pod.PodSpec.NetMode;
import dev.rkj.engine.pod.PodSpec.Volume;

import java.util.List;
import java.util.Set;

/**
 * The pod spec as {@code pod.created/5} holds it: before CNI networks, when {@code net} default
 * meant a network namespace with only {@code lo}. Never written any more; read as its
 * {@link #upcast()}.
 */
public record PodSpecV5(
        List<AppSpec> apps,
        String hostname,
        NetMode net,
        boolean interactive,
        Set<InsecureOption> insecureOptions,
        Long pidsLimit,
        List<Volume> volumes,
        boolean mdsRegister,
        boolean privateUsers) {

    /** The same request: {@code default} becomes {@code none}, what it did then. */
    public PodSpec upcast() {
        return new PodSpec(apps, hostname, net == null ? NetMode.NONE : net.beforeCni(), interactive, insecureOptions,
                pidsLimit, volumes, mdsRegister, privateUsers, null);
    }
}
