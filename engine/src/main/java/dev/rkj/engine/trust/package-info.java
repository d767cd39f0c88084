/**
 * OpenPGP trust and signatures: the trusted keys by image name prefix ({@link TrustStore}, rkt's
 * {@code prefix.d} / {@code root.d} layout) and the check of an image's detached armored signature
 * against them ({@link SignatureVerifier}, Bouncy Castle's {@code org.bouncycastle.openpgp.api},
 * which evaluates binding signatures, key flags, expiry and revocation at signing time).
 *
 * <p>Depends on {@code engine.appc} (names) and Bouncy Castle only; the image store asks it.
 */
package dev.rkj.engine.trust;
