package dev.rkj.engine.trust;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.SignatureSubpacketTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.api.OpenPGPApi;
import org.bouncycastle.openpgp.api.OpenPGPCertificate.OpenPGPComponentKey;
import org.bouncycastle.openpgp.api.OpenPGPKey;
import org.bouncycastle.openpgp.api.SignatureParameters;
import org.bouncycastle.openpgp.api.bc.BcOpenPGPApi;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;

/**
 * OpenPGP keys made by the tests with Bouncy Castle, good and bad in each way a signer's key can
 * be, and detached armored signatures made with them at a chosen time (so a key can have expired,
 * or been revoked, before it signed). Public for the api module's tests.
 */
public final class TestKeys {
    private static final OpenPGPApi API = new BcOpenPGPApi();
    private static final long HOUR = 3_600_000L;

    private TestKeys() {}

    /** An Ed25519 key made an hour ago: a certifying primary key, a signing subkey, an encryption subkey. */
    public static OpenPGPKey good(String userId) throws PGPException {
        return API.generateKey(new Date(System.currentTimeMillis() - HOUR)).ed25519x25519Key(userId).build();
    }

    /** A key made ten days ago that expired a day after: it signs data with its primary key. */
    public static OpenPGPKey expired(String userId) throws PGPException {
        return API.generateKey(new Date(System.currentTimeMillis() - 240 * HOUR))
                .withPrimaryKey(g -> g.generateEd25519KeyPair(), subpackets(sp -> {
                    sp.removePacketsOfType(SignatureSubpacketTags.KEY_FLAGS);
                    sp.setKeyFlags(true, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
                    sp.setKeyExpirationTime(true, 24 * 3600);
                    return sp;
                }))
                .addUserId(userId).build();
    }

    /** A key whose only key is a primary key that may certify but not sign data. */
    public static OpenPGPKey certifyOnly(String userId) throws PGPException {
        return API.generateKey(new Date(System.currentTimeMillis() - HOUR))
                .withPrimaryKey(g -> g.generateEd25519KeyPair(), subpackets(sp -> {
                    sp.removePacketsOfType(SignatureSubpacketTags.KEY_FLAGS);
                    sp.setKeyFlags(true, KeyFlags.CERTIFY_OTHER);
                    return sp;
                }))
                .addUserId(userId).build();
    }

    /** {@code key}, revoked (as a whole) a minute ago. */
    public static OpenPGPKey revoked(OpenPGPKey key) throws PGPException {
        return API.editKey(key).revokeKey(minuteAgo()).done();
    }

    /** {@code key} with its signing subkey revoked a minute ago. */
    public static OpenPGPKey subkeyRevoked(OpenPGPKey key) throws PGPException {
        return API.editKey(key).revokeComponentKey(signingSubkey(key), minuteAgo()).done();
    }

    private static SignatureParameters.Callback subpackets(org.bouncycastle.openpgp.api.SignatureSubpacketsFunction f) {
        return new SignatureParameters.Callback() {
            @Override
            public SignatureParameters apply(SignatureParameters p) {
                return p.setHashedSubpacketsFunction(f);
            }
        };
    }

    private static SignatureParameters.Callback minuteAgo() {
        return new SignatureParameters.Callback() {
            @Override
            public SignatureParameters apply(SignatureParameters p) {
                return p.setSignatureCreationTime(new Date(System.currentTimeMillis() - 60_000));
            }
        };
    }

    /** The signing subkey of {@code key}, or its primary key if it has none. */
    static OpenPGPComponentKey signingSubkey(OpenPGPKey key) {
        for (OpenPGPComponentKey k : key.getKeys()) {
            if (!k.isPrimaryKey() && k.isSigningKey(new Date(System.currentTimeMillis() - 120_000))) {
                return k;
            }
        }
        return key.getPrimaryKey();
    }

    /** The armored public certificate of {@code key}, as {@code gpg --armor --export} gives it. */
    public static byte[] publicKey(OpenPGPKey key) throws IOException {
        return key.toCertificate().toAsciiArmoredString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * A detached armored signature of {@code data} made now by {@code key}'s signing subkey (its
     * primary key if it has none), whatever the key's flags, expiry or revocation say: what a
     * careless or hostile signer could produce.
     */
    public static byte[] sign(OpenPGPKey key, byte[] data) throws PGPException, IOException {
        OpenPGPComponentKey signer = signingSubkey(key);
        PGPSecretKey secret = key.getPGPSecretKeyRing().getSecretKey(signer.getKeyIdentifier());
        PGPPrivateKey privateKey = secret.extractPrivateKey(null);
        PGPPublicKey publicKey = signer.getPGPPublicKey();
        PGPSignatureGenerator generator = new PGPSignatureGenerator(
                new BcPGPContentSignerBuilder(publicKey.getAlgorithm(), HashAlgorithmTags.SHA256), publicKey);
        generator.init(PGPSignature.BINARY_DOCUMENT, privateKey);
        PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
        hashed.setSignatureCreationTime(true, new Date());
        hashed.setIssuerFingerprint(false, publicKey);
        generator.setHashedSubpackets(hashed.generate());
        generator.update(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArmoredOutputStream armor = ArmoredOutputStream.builder().build(out)) {
            generator.generate().encode(armor);
        }
        return out.toByteArray();
    }
}
