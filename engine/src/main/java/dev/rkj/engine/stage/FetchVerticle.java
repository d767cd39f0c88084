package dev.rkj.engine.stage;

import dev.rkj.engine.pod.PodCommand.ResolveImage;
import dev.rkj.engine.pod.PodEvent;
import dev.rkj.engine.pod.PodOwner;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.pod.PodStatus;
import dev.rkj.engine.pod.Stage;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Resolves the images (one per app) of each new pod this engine owns through the {@link ImageSourcePort}, on a
 * worker thread: embryo → preparing, or aborted (the port's {@link StageException} says why the
 * reference resolves to no image).
 */
public final class FetchVerticle extends StageVerticle {
    private final ImageSourcePort source;

    public FetchVerticle(PodEventDispatcher dispatcher, PodRecorder recorder, PodOwner owner, CrashPoint crashAt,
                         PodWork podWork, ImageSourcePort source) {
        super(dispatcher, recorder, owner, crashAt, podWork);
        this.source = Objects.requireNonNull(source, "source");
    }

    @Override
    public boolean wants(PodState pod) {
        return pod.exists() && pod.status() == PodStatus.EMBRYO && mine(pod);
    }

    @Override
    protected Step step(PodState pod) {
        return Step.of(Stage.FETCH, CrashPoint.AFTER_RESOLVED, () -> new ResolveImage(pod.podId(), resolveAll(pod)));
    }

    /** Every app's image, in the spec's order. */
    private List<PodEvent.ResolvedImage> resolveAll(PodState pod) throws StageException {
        List<PodEvent.ResolvedImage> images = new ArrayList<>();
        for (PodSpec.AppSpec app : pod.spec().apps()) {
            ImageSourcePort.ResolvedImage r = source.resolve(pod.podId(), pod.spec(), app.imageRef());
            images.add(new PodEvent.ResolvedImage(r.imageId(), r.imageName(), r.source()));
        }
        return images;
    }
}
