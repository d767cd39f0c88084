package dev.rkj.engine.store;

import dev.rkj.engine.trust.TrustStore;
import java.util.Objects;

/** What {@link ImageStore#fetch(java.nio.file.Path, dev.rkj.engine.Grantor, SignaturePolicy)} does with an image's signature. */
public sealed interface SignaturePolicy {
    /** Keep the image only if a key {@code trust} trusts for its name signed it. */
    record Verify(TrustStore trust) implements SignaturePolicy {
        public Verify {
            Objects.requireNonNull(trust, "trust");
        }
    }

    /**
     * Keep it unverified, because the caller said so ({@code --insecure-options=image}); {@code reason}
     * is recorded on {@code image.stored}, beside who asked.
     */
    record Skip(String reason) implements SignaturePolicy {
        /** The reason recorded when the user passed {@code --insecure-options=image}. */
        public static final String INSECURE_OPTIONS = "signature verification skipped: --insecure-options=image";

        public Skip {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Verify with {@code trust} unless {@code skip}, in which case record {@link Skip#INSECURE_OPTIONS}. */
    public static SignaturePolicy of(boolean skip, TrustStore trust) {
        return skip ? new Skip(Skip.INSECURE_OPTIONS) : new Verify(trust);
    }
}
