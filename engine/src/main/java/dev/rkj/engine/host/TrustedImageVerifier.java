package dev.rkj.engine.host;

import dev.rkj.engine.appc.ImageId;
import dev.rkj.engine.pod.PodSpec;
import dev.rkj.engine.pod.PodSpec.InsecureOption;
import dev.rkj.engine.stage.ImageVerifierPort;
import dev.rkj.engine.stage.StageException;
import dev.rkj.engine.store.ImageStore;
import dev.rkj.engine.store.ImageStoreException;
import dev.rkj.engine.store.SignaturePolicy;
import dev.rkj.engine.store.UnverifiedImageException;
import dev.rkj.engine.trust.Signer;
import dev.rkj.engine.trust.TrustException;
import dev.rkj.engine.trust.TrustStore;
import java.util.Optional;

/**
 * The verify stage on the real image store: the signature kept with the image is checked against
 * the keys trusted for the image's name ({@link ImageStore#verify}); the outcome names the key and
 * the prefix it is trusted for. With {@code --insecure-options=image} the check is skipped, and
 * that is recorded (who asked is on the pod's creation).
 */
public final class TrustedImageVerifier implements ImageVerifierPort {
    private final ImageStore store;
    private final TrustStore trust;

    public TrustedImageVerifier(ImageStore store, TrustStore trust) {
        this.store = store;
        this.trust = trust;
    }

    @Override
    public Verification verify(String podId, PodSpec spec, String imageId, String imageName) throws StageException {
        if (spec.allows(InsecureOption.IMAGE)) {
            return new Verification(false, SignaturePolicy.Skip.INSECURE_OPTIONS);
        }
        try {
            Signer signer = store.verify(ImageId.parse(imageId), trust);
            return new Verification(true, signer.describe(), signer.fingerprint(), signer.prefix());
        } catch (UnverifiedImageException e) {
            throw StageException.permanent(e.getMessage());
        } catch (ImageStoreException e) {
            throw new StageException(e.getMessage(), true, e);
        }
    }

    /** With no key trusted at all, every image is refused (unless the check is skipped): known before a pod is made. */
    @Override
    public Optional<String> refusesAnyImage(PodSpec spec, String imageRef) {
        if (spec.allows(InsecureOption.IMAGE)) {
            return Optional.empty();
        }
        try {
            if (!trust.list().isEmpty()) {
                return Optional.empty();
            }
        } catch (TrustException e) {
            return Optional.of("cannot verify the signature of image " + imageRef + ": " + e.getMessage());
        }
        return Optional.of("cannot verify the signature of image " + imageRef + ": no key is trusted to sign images"
                + " yet: trust its signer's key with rkj trust --prefix NAME KEYFILE, or pass --insecure-options=image"
                + " to run it unverified");
    }
}
