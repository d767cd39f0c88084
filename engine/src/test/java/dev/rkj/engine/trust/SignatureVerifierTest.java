package dev.rkj.engine.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.trust.SignatureRefusedException.Reason;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.bouncycastle.openpgp.api.OpenPGPKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verifier and the trust store, with keys made here by Bouncy Castle. */
class SignatureVerifierTest {
    private static final String NAME = "example.com/app";
    private static final byte[] IMAGE = "an image's bytes".getBytes(StandardCharsets.UTF_8);
    private static OpenPGPKey good;

    @TempDir
    Path data;
    @TempDir
    Path system;

    @BeforeAll
    static void keys() throws Exception {
        good = TestKeys.good("Good Signer <good@example.com>");
    }

    private TrustStore trust() {
        return TrustStore.of(data, system);
    }

    private Signer verify(String name, byte[] signature, byte[] image) throws Exception {
        return new SignatureVerifier(trust()).verify(name + " (app.aci)", name, signature,
                () -> new ByteArrayInputStream(image));
    }

    private SignatureRefusedException refused(OpenPGPKey signer, byte[] image) throws Exception {
        byte[] signature = TestKeys.sign(signer, IMAGE);
        return assertThrows(SignatureRefusedException.class, () -> verify(NAME, signature, image));
    }

    private String trustKey(OpenPGPKey key, String prefix) throws Exception {
        return trust().add(TrustStore.read(TestKeys.publicKey(key), "test"), prefix).fingerprint();
    }

    @Test
    void aGoodSignatureOfATrustedPrefixPassesAndNamesTheKeyAndPrefix() throws Exception {
        String fpr = trustKey(good, "example.com");
        Signer signer = verify(NAME, TestKeys.sign(good, IMAGE), IMAGE);
        assertEquals(new Signer(fpr, "example.com"), signer);
        assertEquals("signed by key " + fpr + ", trusted for prefix example.com", signer.describe());
    }

    @Test
    void prefixesMatchWholePathSegmentsAndRootKeysCoverEverything() throws Exception {
        trustKey(good, NAME);
        byte[] signature = TestKeys.sign(good, IMAGE);
        assertEquals(NAME, verify(NAME + "/sub", signature, IMAGE).prefix());
        SignatureRefusedException e = assertThrows(SignatureRefusedException.class,
                () -> verify("example.com/apple", signature, IMAGE));
        assertEquals(Reason.UNTRUSTED, e.reason());
        assertTrue(e.getMessage().contains("trusted only for prefix example.com/app, not for example.com/apple"), e.getMessage());
        trust().add(TrustStore.read(TestKeys.publicKey(good), "test"), null);
        assertEquals(null, verify("example.com/apple", signature, IMAGE).prefix());
    }

    @Test
    void systemKeysCountAndCannotBeRemovedByRkj() throws Exception {
        String fpr = TrustStore.of(system, system).add(TrustStore.read(TestKeys.publicKey(good), "test"), "example.com")
                .fingerprint();
        assertEquals(List.of(new TrustedKey(fpr, "example.com", List.of("Good Signer <good@example.com>"), true)),
                trust().list());
        assertEquals(fpr, verify(NAME, TestKeys.sign(good, IMAGE), IMAGE).fingerprint());
        TrustException e = assertThrows(TrustException.class, () -> trust().remove(fpr.substring(0, 16)));
        assertTrue(e.getMessage().contains("trusted by the system configuration"), e.getMessage());
    }

    @Test
    void removingAKeyStopsTrustingIt() throws Exception {
        String fpr = trustKey(good, NAME);
        assertEquals(1, trust().remove(fpr).size());
        assertEquals(List.of(), trust().list());
        assertEquals(Reason.UNTRUSTED, refused(good, IMAGE).reason());
    }

    @Test
    void aTamperedImageIsRefused() throws Exception {
        String fpr = trustKey(good, NAME);
        SignatureRefusedException e = refused(good, "another image".getBytes(StandardCharsets.UTF_8));
        assertEquals(Reason.TAMPERED, e.reason());
        assertEquals("the signature of image " + NAME + " (app.aci) by key " + fpr + " does not match the image: the"
                + " image or its signature was changed after signing; fetch both again from their source, and do not"
                + " use this copy", e.getMessage());
    }

    @Test
    void aKeyNobodyTrustedIsRefused() throws Exception {
        trustKey(good, NAME);
        OpenPGPKey wrong = TestKeys.good("Wrong <wrong@example.com>");
        SignatureRefusedException e = refused(wrong, IMAGE);
        assertEquals(Reason.UNTRUSTED, e.reason());
        assertTrue(e.getMessage().startsWith("image " + NAME + " (app.aci) is signed by key "
                + TrustStore.fingerprint(wrong).substring(0, 0)), e.getMessage());
        assertTrue(e.getMessage().contains("which is not trusted: if you trust its owner to sign " + NAME
                + ", run rkj trust --prefix " + NAME + " KEYFILE"), e.getMessage());
    }

    @Test
    void anExpiredKeyIsRefused() throws Exception {
        OpenPGPKey expired = TestKeys.expired("Expired <old@example.com>");
        String fpr = trustKey(expired, NAME);
        SignatureRefusedException e = refused(expired, IMAGE);
        assertEquals(Reason.EXPIRED, e.reason(), e.getMessage());
        assertTrue(e.getMessage().startsWith("image " + NAME + " (app.aci) is signed by key " + fpr + ", which expired on "),
                e.getMessage());
    }

    @Test
    void aRevokedKeyIsRefused() throws Exception {
        OpenPGPKey revoked = TestKeys.revoked(TestKeys.good("Revoked <rev@example.com>"));
        String fpr = trustKey(revoked, NAME);
        SignatureRefusedException e = refused(revoked, IMAGE);
        assertEquals(Reason.REVOKED, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("key " + fpr + ", which is revoked"), e.getMessage());
    }

    @Test
    void aRevokedSigningSubkeyIsRefused() throws Exception {
        OpenPGPKey key = TestKeys.good("Subkey <sub@example.com>");
        OpenPGPKey revoked = TestKeys.subkeyRevoked(key);
        String fpr = trustKey(revoked, NAME);
        byte[] signature = TestKeys.sign(key, IMAGE); // the subkey still signs: its secret part is not revoked
        SignatureRefusedException e = assertThrows(SignatureRefusedException.class, () -> verify(NAME, signature, IMAGE));
        assertEquals(Reason.REVOKED, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("whose signing subkey is revoked"), e.getMessage());
    }

    @Test
    void aKeyWithoutTheSigningFlagIsRefused() throws Exception {
        OpenPGPKey certifyOnly = TestKeys.certifyOnly("Certifier <cert@example.com>");
        String fpr = trustKey(certifyOnly, NAME);
        SignatureRefusedException e = refused(certifyOnly, IMAGE);
        assertEquals(Reason.NOT_FOR_SIGNING, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("key " + fpr + ", which may not sign data (the key has no signing flag)"),
                e.getMessage());
    }

    @Test
    void aMissingOrUnreadableSignatureIsRefused() throws Exception {
        trustKey(good, NAME);
        SignatureRefusedException missing = assertThrows(SignatureRefusedException.class, () -> verify(NAME, null, IMAGE));
        assertEquals(Reason.MISSING, missing.reason());
        assertTrue(missing.getMessage().startsWith("image " + NAME + " (app.aci) has no signature"), missing.getMessage());
        SignatureRefusedException junk = assertThrows(SignatureRefusedException.class,
                () -> verify(NAME, "not a signature".getBytes(StandardCharsets.UTF_8), IMAGE));
        assertEquals(Reason.UNREADABLE, junk.reason());
    }
}
