package dev.rkj.engine.trust;

import dev.rkj.engine.trust.SignatureRefusedException.Reason;
import dev.rkj.engine.trust.TrustStore.Candidate;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.bcpg.KeyIdentifier;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.api.OpenPGPCertificate;
import org.bouncycastle.openpgp.api.OpenPGPCertificate.OpenPGPComponentKey;
import org.bouncycastle.openpgp.api.OpenPGPDetachedSignatureProcessor;
import org.bouncycastle.openpgp.api.OpenPGPSignature.OpenPGPDocumentSignature;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;

/**
 * Checks an image's detached OpenPGP signature against the keys the {@link TrustStore} trusts
 * for the image's name. Bouncy Castle's {@link OpenPGPDetachedSignatureProcessor} decides (the
 * signature's correctness, and the key's binding, flags, expiry and revocation at the time of
 * signing); when it refuses, the key's state at that time says which message to give.
 */
public final class SignatureVerifier {
    private final TrustStore trust;

    public SignatureVerifier(TrustStore trust) {
        this.trust = trust;
    }

    /** Opens the signed data again: the verifier reads it once per candidate key. */
    @FunctionalInterface
    public interface Data {
        InputStream open() throws IOException;
    }

    /**
     * Verifies that {@code signature} (armored or binary; null if there is none) is a trusted
     * key's signature of {@code data}, the image named {@code imageName}, which messages call
     * {@code image} (its name, id or file).
     *
     * @throws SignatureRefusedException with its own reason and message for each failed check
     * @throws IOException               if {@code data} cannot be read
     */
    public Signer verify(String image, String imageName, byte[] signature, Data data)
            throws SignatureRefusedException, IOException {
        String unverified = " or pass --insecure-options=image to use it unverified";
        if (signature == null) {
            throw new SignatureRefusedException(Reason.MISSING, null, "image " + image + " has no signature: put its"
                    + " detached armored signature beside it as IMAGE.aci.asc (gpg --armor --detach-sign IMAGE.aci),"
                    + unverified);
        }
        List<PGPSignature> signatures = parse(image, signature);
        List<Candidate> trusted;
        try {
            trusted = trust.candidatesFor(imageName);
        } catch (TrustException e) {
            throw new IOException(e.getMessage(), e);
        }
        SignatureRefusedException first = null;
        for (PGPSignature sig : signatures) {
            for (Candidate candidate : trusted) {
                OpenPGPComponentKey key = issuer(candidate.cert(), sig);
                if (key == null) {
                    continue;
                }
                try {
                    return check(image, candidate, key, sig, data);
                } catch (SignatureRefusedException e) {
                    first = first == null ? e : first;
                }
            }
        }
        if (first != null) {
            throw first;
        }
        String issuer = issuerOf(signatures.get(0));
        Candidate elsewhere = null;
        try {
            for (Candidate c : trust.candidates()) {
                if (issuer(c.cert(), signatures.get(0)) != null) {
                    elsewhere = c;
                }
            }
        } catch (TrustException e) {
            throw new IOException(e.getMessage(), e);
        }
        String fpr = elsewhere != null ? elsewhere.key().fingerprint() : issuer;
        throw new SignatureRefusedException(Reason.UNTRUSTED, fpr, "image " + image + " is signed by key " + fpr
                + (elsewhere != null ? ", which is trusted only for " + elsewhere.key().scope() + ", not for " + imageName
                        : ", which is not trusted")
                + ": if you trust its owner to sign " + imageName + ", run rkj trust --prefix " + imageName
                + " KEYFILE," + unverified);
    }

    private Signer check(String image, Candidate candidate, OpenPGPComponentKey key, PGPSignature sig, Data data)
            throws SignatureRefusedException, IOException {
        OpenPGPCertificate cert = candidate.cert();
        String fpr = candidate.key().fingerprint();
        List<OpenPGPDocumentSignature> results;
        try (InputStream in = data.open()) {
            results = new OpenPGPDetachedSignatureProcessor()
                    .addVerificationCertificate(cert)
                    .addSignature(sig)
                    .setExceptionCallback(e -> { })
                    .process(in);
        }
        for (OpenPGPDocumentSignature result : results) {
            try {
                if (result.isValid()) {
                    return new Signer(fpr, candidate.key().prefix());
                }
            } catch (PGPException e) {
                // refused: the key's state below says why
            }
        }
        Date at = sig.getCreationTime();
        String signed = "image " + image + " is signed by key " + fpr;
        String subkey = key.isPrimaryKey() ? "" : " (signing subkey " + hex(key.getKeyIdentifier()) + ")";
        String notUse = ": do not use the image; ask its publisher to sign it with a valid key, then trust that key"
                + " (rkj trust rm " + fpr + " stops trusting this one)";
        if (revoked(cert.getPrimaryKey(), at)) {
            throw new SignatureRefusedException(Reason.REVOKED, fpr, signed + ", which is revoked" + notUse);
        }
        if (!key.isPrimaryKey() && revoked(key, at)) {
            throw new SignatureRefusedException(Reason.REVOKED, fpr, signed + subkey + ", whose signing subkey is"
                    + " revoked" + notUse);
        }
        Date expired = expiry(cert, cert.getPrimaryKey(), at);
        expired = expired != null ? expired : key.isPrimaryKey() ? null : expiry(cert, key, at);
        if (expired != null) {
            throw new SignatureRefusedException(Reason.EXPIRED, fpr, signed + subkey + ", which expired on "
                    + DateTimeFormatter.ISO_INSTANT.format(expired.toInstant()) + ", before the signature was made ("
                    + DateTimeFormatter.ISO_INSTANT.format(at.toInstant()) + "): ask its publisher to sign it with a"
                    + " key that is valid, or to extend this key's expiry and give you the updated key (rkj trust"
                    + " it again)");
        }
        if (!key.isSigningKey(at)) {
            throw new SignatureRefusedException(Reason.NOT_FOR_SIGNING, fpr, signed + subkey + ", which may not"
                    + " sign data (the key has no signing flag): ask its publisher to sign it with a signing key");
        }
        throw new SignatureRefusedException(Reason.TAMPERED, fpr, "the signature of image " + image + " by key " + fpr
                + " does not match the image: the image or its signature was changed after signing; fetch both again"
                + " from their source, and do not use this copy");
    }

    private static boolean revoked(OpenPGPComponentKey key, Date at) {
        try {
            if (key.getRevocation(at) != null) {
                return true;
            }
            var latest = key.getRevocation();
            return latest != null && latest.isHardRevocation();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * When {@code key} had expired by {@code at}, or null if it had not: its creation plus the key
     * expiration time of its self-signatures in force at {@code at} (the binding signature, and for a
     * primary key also its direct-key signature and user id certifications, where GnuPG puts it).
     */
    private static Date expiry(OpenPGPCertificate cert, OpenPGPComponentKey key, Date at) {
        List<OpenPGPCertificate.OpenPGPCertificateComponent> sources = new ArrayList<>();
        sources.add(key);
        if (key.isPrimaryKey()) {
            sources.addAll(cert.getIdentities());
        }
        for (OpenPGPCertificate.OpenPGPCertificateComponent source : sources) {
            try {
                var self = source.getLatestSelfSignature(at);
                long seconds = self == null || self.getSignature().getHashedSubPackets() == null ? 0
                        : self.getSignature().getHashedSubPackets().getKeyExpirationTime();
                if (seconds > 0) {
                    Date expires = new Date(key.getCreationTime().getTime() + seconds * 1000);
                    if (!expires.after(at)) {
                        return expires;
                    }
                }
            } catch (RuntimeException e) {
                // an unreadable self-signature says nothing about expiry
            }
        }
        return null;
    }

    private static OpenPGPComponentKey issuer(OpenPGPCertificate cert, PGPSignature sig) {
        for (OpenPGPComponentKey key : cert.getKeys()) {
            for (KeyIdentifier id : sig.getKeyIdentifiers()) {
                if (!id.isWildcard() && key.getKeyIdentifier().matches(id)) {
                    return key;
                }
            }
        }
        return null;
    }

    private static String issuerOf(PGPSignature sig) {
        List<KeyIdentifier> ids = sig.getKeyIdentifiers();
        for (KeyIdentifier id : ids) {
            if (id.getFingerprint() != null) {
                return HexFormat.of().formatHex(id.getFingerprint());
            }
        }
        return ids.isEmpty() ? "(unnamed)" : hex(ids.get(0));
    }

    private static String hex(KeyIdentifier id) {
        return id.getFingerprint() != null ? HexFormat.of().formatHex(id.getFingerprint())
                : String.format("%016x", id.getKeyId());
    }

    private static List<PGPSignature> parse(String image, byte[] signature) throws SignatureRefusedException {
        List<PGPSignature> found = new ArrayList<>();
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(signature))) {
            BcPGPObjectFactory objects = new BcPGPObjectFactory(in);
            Object next;
            while ((next = objects.nextObject()) != null) {
                if (next instanceof PGPSignatureList list) {
                    list.forEach(found::add);
                }
            }
        } catch (IOException | RuntimeException e) {
            found.clear();
        }
        if (found.isEmpty()) {
            throw new SignatureRefusedException(Reason.UNREADABLE, null, "the signature of image " + image + " is not"
                    + " an OpenPGP signature: give the detached armored signature (gpg --armor --detach-sign IMAGE.aci),"
                    + " or pass --insecure-options=image to use it unverified");
        }
        return found;
    }
}
