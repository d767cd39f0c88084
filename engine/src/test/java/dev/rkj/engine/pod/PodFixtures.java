package dev.rkj.engine.pod;

import dev.rkj.engine.Grantor;
import dev.rkj.engine.pod.PodEvent.AppExited;
import dev.rkj.engine.pod.PodEvent.ImageRendered;
import dev.rkj.engine.pod.PodEvent.ImageResolved;
import dev.rkj.engine.pod.PodEvent.ImageVerified;
import dev.rkj.engine.pod.PodEvent.PodCreated;
import dev.rkj.engine.pod.PodEvent.PodDeleted;
import dev.rkj.engine.pod.PodEvent.PodExited;
import dev.rkj.engine.pod.PodEvent.PodLost;
import dev.rkj.engine.pod.PodEvent.PodMarkedGarbage;
import dev.rkj.engine.pod.PodEvent.PodPrepared;
import dev.rkj.engine.pod.PodEvent.PodStarted;
import dev.rkj.engine.pod.PodEvent.PodStopRequested;
import dev.rkj.engine.pod.PodEvent.StageFailed;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Canonical facts about one pod, and the history that brings it into each status along rkt's
 * usual path. Commands built from the same facts are duplicates of recorded facts.
 */
final class PodFixtures {
    static final String POD = "6f1c2a3b-0c4d-4e5f-8a9b-0c1d2e3f4a5b";
    static final String OTHER_POD = "6f1c9999-0c4d-4e5f-8a9b-0c1d2e3f4a5b";
    static final PodSpec SPEC = PodSpec.of("example.com/busybox:1.36");
    static final PodOwner CREATOR = new PodOwner("engine-a", 100);
    static final PodOwner RUNNER = new PodOwner("engine-b", 200);
    static final PodOwner ADOPTER = new PodOwner("engine-c", 300);
    static final String GONE = "its engine is gone: its lock is free";
    static final String IMAGE = "sha512-" + "ab".repeat(64);
    static final String OTHER_IMAGE = "sha512-" + "ef".repeat(64);
    static final String IMAGE_NAME = "example.com/busybox";
    static final String SIGNED = "signed by 0x1234 trusted for example.com";
    static final String TREE = IMAGE;
    static final String MANIFEST = "sha512-" + "cd".repeat(64);
    static final long STAGE1 = 4242;
    static final String APP = "busybox";
    static final Map<String, Long> APPS = Map.of(APP, 4243L);
    static final String ALL_EXITED = "all apps exited";
    static final String EXPIRED = "exited more than 30m ago";
    static final String BAD_SIGNATURE = "no trusted signature for example.com/busybox: run rkj trust --prefix example.com";

    private PodFixtures() {
    }

    static final Grantor GRANTOR = new Grantor(0L, "root", "alice", "rkj run command line");

    /** A grant of CAP_SYS_ADMIN and of switching the seccomp filter off. */
    static PodEvent.PrivilegesGranted granted() {
        return new PodEvent.PrivilegesGranted(POD, java.util.Set.of("CAP_SYS_ADMIN"),
                java.util.Set.of(PodSpec.InsecureOption.SECCOMP), GRANTOR);
    }

    static PodCreated created() {
        return new PodCreated(POD, SPEC, CREATOR);
    }

    static ImageResolved resolved() {
        return new ImageResolved(POD, IMAGE, IMAGE_NAME, ImageSource.FETCHED);
    }

    static ImageVerified verified() {
        return new ImageVerified(POD, IMAGE, true, SIGNED);
    }

    static ImageRendered rendered() {
        return new ImageRendered(POD, IMAGE, TREE);
    }

    static PodPrepared prepared() {
        return new PodPrepared(POD, MANIFEST);
    }

    static PodStarted started() {
        return new PodStarted(POD, STAGE1, APPS, RUNNER);
    }

    static AppExited appExited() {
        return new AppExited(POD, APP, 0, null, false);
    }

    static PodExited exited() {
        return new PodExited(POD, 0, ALL_EXITED);
    }

    static PodMarkedGarbage garbage() {
        return new PodMarkedGarbage(POD, EXPIRED);
    }

    static PodDeleted deleted() {
        return new PodDeleted(POD);
    }

    static StageFailed verifyFailed() {
        return new StageFailed(POD, Stage.VERIFY, BAD_SIGNATURE, false);
    }

    /** The events that bring {@link #POD} into {@code status} along the usual path. */
    static List<PodEvent> historyOf(PodStatus status) {
        List<PodEvent> h = new ArrayList<>();
        h.add(created());
        switch (status) {
            case EMBRYO -> { }
            case ABORTED_PREPARE -> h.addAll(List.of(resolved(), verifyFailed()));
            default -> {
                h.addAll(List.of(resolved(), verified(), rendered()));
                if (status == PodStatus.PREPARING) {
                    break;
                }
                h.add(prepared());
                if (status == PodStatus.PREPARED) {
                    break;
                }
                h.add(started());
                if (status == PodStatus.RUNNING) {
                    break;
                }
                h.addAll(List.of(appExited(), exited()));
                if (status == PodStatus.EXITED) {
                    break;
                }
                h.add(garbage());
                if (status == PodStatus.GARBAGE) {
                    break;
                }
                h.add(deleted());
            }
        }
        return h;
    }

    /** One event of every kind, for checks that must cover them all. */
    static List<PodEvent> oneOfEachEvent() {
        return List.of(created(), resolved(), verified(), rendered(), prepared(), started(), appExited(),
                new PodStopRequested(POD, true), exited(), garbage(), deleted(), verifyFailed(),
                new PodLost(POD, "stage1 lock free, no status written"),
                new PodEvent.PodAdopted(POD, RUNNER, ADOPTER, GONE),
                new PodEvent.PodCreatedV1(POD, v4(SPEC), CREATOR), new PodEvent.PodCreatedV2(POD, v4(SPEC), CREATOR), granted(),
                new PodEvent.LaunchRequested(POD, CREATOR, GRANTOR), new PodEvent.DeleteRequested(POD, ADOPTER, GRANTOR),
                new PodEvent.ImageRenderedV1(POD, IMAGE, "/var/lib/rkj/cas/trees/" + TREE + "/rootfs"),
                new PodEvent.PodPreparedV1(POD, "/var/lib/rkj/pods/" + POD, MANIFEST),
                new PodEvent.PodCreatedV3(POD, v4(SPEC), CREATOR), new PodEvent.PodStopRequestedV1(POD, false),
                new PodEvent.LaunchRequestedV1(POD, CREATOR), new PodEvent.DeleteRequestedV1(POD, ADOPTER),
                new PodEvent.PodStartedV1(POD, 4000, Map.of("web", 4001L), RUNNER),
                new PodEvent.PodStartedV2(POD, 4000, Map.of("web", 4001L), RUNNER, List.of()),
                new PodEvent.ImageVerifiedV1(POD, IMAGE, true, SIGNED),
                new PodEvent.PodCreatedV4(POD, v4(SPEC), CREATOR, GRANTOR),
                new PodEvent.PodCreatedV5(POD, v5(SPEC), CREATOR, GRANTOR),
                new PodEvent.PodStartedV3(POD, 4000, Map.of("web", 4001L), RUNNER, List.of(), List.of()),
                new PodEvent.ImageResolvedV1(POD, IMAGE, "example.com/app", ImageSource.FETCHED),
                new PodEvent.PodExitedV1(POD, 0, ALL_EXITED), new PodEvent.PodDeletedV1(POD));
    }

    /** {@code spec}, a one-app spec, in the single-image form of {@code pod.created/1..4}. */
    static PodSpecV5 v5(PodSpec spec) {
        return new PodSpecV5(spec.apps(), spec.hostname(), spec.net(), spec.interactive(), spec.insecureOptions(),
                spec.pidsLimit(), spec.volumes(), spec.mdsRegister(), spec.privateUsers());
    }

    /** {@code spec} as a journal written before CNI networks reads it: {@code default} had only lo. */
    static PodSpec beforeCni(PodSpec spec) {
        return new PodSpec(spec.apps(), spec.hostname(), spec.net().beforeCni(), spec.interactive(),
                spec.insecureOptions(), spec.pidsLimit(), spec.volumes(), spec.mdsRegister(), spec.privateUsers(), null);
    }

    static PodSpecV4 v4(PodSpec spec) {
        return new PodSpecV4(spec.imageRef(), spec.exec(), spec.args(), spec.env(), spec.hostname(), spec.net(),
                spec.memoryLimitBytes(), spec.cpuLimitMillis(), spec.interactive(), spec.insecureOptions(),
                spec.capsRetain(), spec.capsRemove(), spec.pidsLimit(), spec.appName(), spec.user(), spec.group(),
                spec.workingDir());
    }
}
