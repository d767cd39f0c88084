package dev.rkj.engine.run;

import dev.rkj.engine.appc.App;
import dev.rkj.engine.appc.Isolator;
import dev.rkj.engine.pod.IsolatorOutcome;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodSpec.InsecureOption;
import dev.rkj.stage1.cgroup.CgroupLimits;

import java.util.ArrayList;
import java.util.List;

/**
 * What rkj does with each isolator (ace.md: an executor must tell which isolators it enforced,
 * modified or ignored). {@link PodPlanner} applies them; this class says what it did, in the
 * same terms, for {@link dev.rkj.engine.pod.PodEvent.PodStarted}.
 *
 * <table>
 *   <caption>isolators</caption>
 *   <tr><th>isolator</th><th>outcome</th></tr>
 *   <tr><td>resource/memory, resource/cpu</td><td>applied: limits as cgroup limits, requests as soft
 *       limit (memory) and shares / weight (cpu); a pod's bound its apps'</td></tr>
 *   <tr><td>os/linux/capabilities-retain-set, -remove-set</td><td>applied (within the default set unless
 *       the user grants more); modified by --insecure-options=capabilities (every capability)</td></tr>
 *   <tr><td>os/linux/no-new-privileges</td><td>applied; false is modified (stays on) without the grant</td></tr>
 *   <tr><td>os/linux/seccomp-remove-set</td><td>applied on top of the default filter</td></tr>
 *   <tr><td>os/linux/seccomp-retain-set</td><td>modified: applied within the default filter;
 *       applied as is with --insecure-options=seccomp</td></tr>
 *   <tr><td>os/linux/oom-score-adj</td><td>applied</td></tr>
 *   <tr><td>os/linux/selinux-context, apparmor-profile, resource/block-*, network-bandwidth,
 *       os/unix/sysctl, any other</td><td>ignored</td></tr>
 * </table>
 */
final class Isolators {
    /** appc's wildcard for every system call (retain sets). */
    static final String ALL = "@appc.io/all";
    /** appc's wildcard for no system call (remove sets). */
    static final String EMPTY = "@appc.io/empty";
    /** rkt's isolator for an app's OOM score adjustment, an integer -1000..1000. */
    static final String OOM_SCORE_ADJ = "os/linux/oom-score-adj";

    private Isolators() {
    }

    /** What became of each of an app's isolators, in their order. */
    static List<IsolatorOutcome> report(PodSpec spec, String app, App manifest) {
        List<IsolatorOutcome> out = new ArrayList<>();
        boolean allCaps = spec.allows(InsecureOption.CAPABILITIES);
        boolean noSeccomp = spec.allows(InsecureOption.SECCOMP);
        for (Isolator i : manifest.isolators()) {
            String name = i.name().value();
            out.add(outcome(i, app, name, allCaps, noSeccomp));
        }
        return out;
    }

    private static IsolatorOutcome outcome(Isolator i, String app, String name, boolean allCaps, boolean noSeccomp) {
        if (i instanceof Isolator.Memory m) {
            return IsolatorOutcome.applied(app, name, "the app's memory cgroup"
                    + (m.limitBytes().isPresent() ? ": limit " + m.limitBytes().getAsLong() + " bytes" : "")
                    + (m.request().isPresent() ? ", request " + m.requestBytes().getAsLong() + " bytes as its soft limit" : ""));
        }
        if (i instanceof Isolator.Cpu c) {
            return IsolatorOutcome.applied(app, name, "the app's cpu cgroup"
                    + (c.limitMillis().isPresent() ? ": limit " + c.limitMillis().getAsLong() + "m as its quota" : "")
                    + (c.requestMillis().isPresent() ? ", request " + c.requestMillis().getAsLong() + "m as its shares" : ""));
        }
        if (i instanceof Isolator.CapabilitiesRetain || i instanceof Isolator.CapabilitiesRemove) {
            return allCaps ? IsolatorOutcome.modified(app, name, "--insecure-options=capabilities gives every capability")
                    : IsolatorOutcome.applied(app, name, i instanceof Isolator.CapabilitiesRetain r
                    ? "the bounding set is exactly these " + r.set().size() + " capabilities" : "taken from the default set");
        }
        if (i instanceof Isolator.NoNewPrivileges n) {
            return n.enabled() || allCaps ? IsolatorOutcome.applied(app, name, "no_new_privs " + (n.enabled() ? "on" : "off"))
                    : IsolatorOutcome.modified(app, name, "no_new_privs stays on: only you can turn it off,"
                    + " with --insecure-options=capabilities");
        }
        if (i instanceof Isolator.SeccompRetain r) {
            String what = "only these system calls, " + action(r.errno().orElse(""));
            if (r.set().contains(ALL)) {
                return IsolatorOutcome.applied(app, name, noSeccomp ? "no filter (" + ALL + ")" : "the default filter (" + ALL + ")");
            }
            return noSeccomp ? IsolatorOutcome.applied(app, name, what)
                    : IsolatorOutcome.modified(app, name, what + ", within rkj's default filter: a listed call it"
                    + " refuses stays refused (--insecure-options=seccomp lets the set alone decide)");
        }
        if (i instanceof Isolator.SeccompRemove r) {
            return IsolatorOutcome.applied(app, name, r.set().contains(EMPTY)
                    ? (noSeccomp ? "no filter (" + EMPTY + ")" : "the default filter (" + EMPTY + ")")
                    : "these system calls " + action(r.errno().orElse("")).replace("blocked ones ", "")
                    + (noSeccomp ? "" : ", on top of rkj's default filter"));
        }
        if (i instanceof Isolator.Other o && name.equals(OOM_SCORE_ADJ)) {
            return IsolatorOutcome.applied(app, name, "oom_score_adj " + o.valueJson());
        }
        return IsolatorOutcome.ignored(app, name, ignoredBecause(name));
    }

    /** What became of the pod's own isolators: its resources bound the pod's cgroup. */
    static List<IsolatorOutcome> reportPod(List<Isolator> isolators) {
        List<IsolatorOutcome> out = new ArrayList<>();
        for (Isolator i : isolators) {
            String name = i.name().value();
            out.add(i instanceof Isolator.Memory || i instanceof Isolator.Cpu
                    ? IsolatorOutcome.applied(null, name, "the pod's cgroup, which bounds its apps'")
                    : IsolatorOutcome.ignored(null, name, ignoredBecause(name)));
        }
        return out;
    }

    private static String action(String errno) {
        return errno.isEmpty() ? "blocked ones kill the app (SIGSYS)" : "blocked ones fail with " + errno;
    }

    private static String ignoredBecause(String name) {
        return switch (name) {
            case Isolator.SELINUX_CONTEXT -> "rkj applies no SELinux labels";
            case Isolator.APPARMOR_PROFILE -> "rkj applies no AppArmor profiles";
            case Isolator.BLOCK_BANDWIDTH, Isolator.BLOCK_IOPS -> "rkj sets no block I/O limits";
            case Isolator.NETWORK_BANDWIDTH -> "rkj sets no network bandwidth limits";
            case Isolator.SYSCTL -> "rkj sets no sysctls";
            default -> "not an isolator rkj knows";
        };
    }

    /** The tighter of two sets of limits, each field on its own (a pod's isolators bound its app's). */
    static CgroupLimits tighter(CgroupLimits a, CgroupLimits b) {
        return new CgroupLimits(min(a.memoryBytes(), b.memoryBytes()), min(a.cpuLimitMillicores(), b.cpuLimitMillicores()),
                min(a.cpuRequestMillicores(), b.cpuRequestMillicores()), min(a.pids(), b.pids()),
                min(a.memoryRequestBytes(), b.memoryRequestBytes()));
    }

    private static Long min(Long a, Long b) {
        return a == null ? b : b == null ? a : Long.valueOf(Math.min(a, b));
    }
}
