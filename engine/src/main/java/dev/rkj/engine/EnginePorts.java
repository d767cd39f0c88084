package dev.rkj.engine;

import dev.rkj.engine.stage.ImageSourcePort;
import dev.rkj.engine.stage.ImageVerifierPort;
import dev.rkj.engine.stage.PodJanitorPort;
import dev.rkj.engine.stage.PodPreparerPort;
import dev.rkj.engine.stage.PodRuntime;
import dev.rkj.engine.stage.TreeRendererPort;

import java.util.Objects;

/**
 * The engine's collaborators on the host, one per stage: the real ones (image store, stage1) in
 * production, recording fakes in unit tests.
 */
public record EnginePorts(ImageSourcePort imageSource, ImageVerifierPort verifier, TreeRendererPort renderer,
                          PodPreparerPort preparer, PodRuntime runtime, PodJanitorPort janitor) {
    public EnginePorts {
        Objects.requireNonNull(imageSource, "imageSource");
        Objects.requireNonNull(verifier, "verifier");
        Objects.requireNonNull(renderer, "renderer");
        Objects.requireNonNull(preparer, "preparer");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(janitor, "janitor");
    }
}
