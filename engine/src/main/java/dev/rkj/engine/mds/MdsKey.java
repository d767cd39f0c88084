package dev.rkj.engine.mds;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The pods' HMAC key (ace.md, "Identity Endpoint"): 64 random bytes in {@code <dataDir>/mds-hmac-key},
 * mode 0600, made by the first service or launch that needs it and kept, so signatures verify
 * across restarts and between service processes. A signature is the base64 of
 * HMAC-SHA512(key, the pod UUID's 16 bytes, then the content), as rkt signed.
 */
public final class MdsKey {
    /** The key file, in the data directory. */
    public static final String FILE = "mds-hmac-key";
    private static final int SIZE = 64;
    private static final String ALGORITHM = "HmacSHA512";

    private final SecretKeySpec key;

    private MdsKey(byte[] key) {
        this.key = new SecretKeySpec(key, ALGORITHM);
    }

    /**
     * The key of {@code dataDir}, made (atomically: a whole key or none) if there is none yet.
     *
     * @throws IOException naming the file, if it cannot be read or made, or holds no whole key
     */
    public static MdsKey open(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE);
        if (!Files.exists(file)) {
            byte[] fresh = new byte[SIZE];
            new SecureRandom().nextBytes(fresh);
            Path tmp = Files.createTempFile(dataDir, "." + FILE, ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.write(tmp, fresh);
                Files.createLink(file, tmp); // never replaces a key another process made meanwhile
            } catch (FileAlreadyExistsException e) {
                // theirs is the key
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length != SIZE) {
            throw new IOException("the metadata service key " + file + " holds " + bytes.length + " bytes, not " + SIZE
                    + ": remove it (signatures made with it will no longer verify) and start the service again");
        }
        return new MdsKey(bytes);
    }

    /** The signature of {@code content} by pod {@code pod}. */
    public String sign(UUID pod, byte[] content) {
        return Base64.getEncoder().encodeToString(mac(pod, content));
    }

    /** Whether {@code signature} (base64) is pod {@code pod}'s signature of {@code content}; false if it is not base64. */
    public boolean verify(UUID pod, byte[] content, String signature) {
        byte[] given;
        try {
            given = Base64.getDecoder().decode(signature.strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(mac(pod, content), given);
    }

    private byte[] mac(UUID pod, byte[] content) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update(ByteBuffer.allocate(16).putLong(pod.getMostSignificantBits())
                    .putLong(pod.getLeastSignificantBits()).array());
            return mac.doFinal(content);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no " + ALGORITHM, e);
        }
    }
}
