package dev.rkj.engine.run;

import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodSpec.InsecureOption;
import dev.rkj.engine.stage.ImageVerifierPort;
import dev.rkj.engine.stage.StageException;
import java.util.Optional;

/**
 * The verifier until signature checking exists: an image may be used only when the user switched
 * verification off with {@code --insecure-options=image}, and that choice is recorded; otherwise
 * the verify stage fails and says what to do.
 */
public final class InsecureOnlyImageVerifier implements ImageVerifierPort {
    /** The reason recorded for a skipped check. */
    public static final String SKIPPED = "signature verification skipped: --insecure-options=image";

    @Override
    public Verification verify(String podId, PodSpec spec, String imageId, String imageName) throws StageException {
        if (spec.allows(InsecureOption.IMAGE)) {
            return new Verification(false, SKIPPED);
        }
        throw StageException.permanent(refusal(imageName + " (" + imageId + ")"));
    }

    /** Without {@code --insecure-options=image} every image is refused: known before any is resolved. */
    @Override
    public Optional<String> refusesAnyImage(PodSpec spec, String imageRef) {
        return spec.allows(InsecureOption.IMAGE) ? Optional.empty() : Optional.of(refusal(imageRef));
    }

    private static String refusal(String image) {
        return "cannot verify the signature of image " + image + ": signature verification is not available yet in"
                + " rkj; pass --insecure-options=image to run it unverified";
    }
}
