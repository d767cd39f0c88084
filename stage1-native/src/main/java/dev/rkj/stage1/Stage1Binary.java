package dev.rkj.stage1;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The native rkj-stage1, built by Maven into this jar, and its place in a data directory:
 * {@code <dataDir>/stage1/<sha256>/rkj-stage1}. Content-addressed, so jars of several versions
 * can share a data directory.
 */
public final class Stage1Binary {
    static final String RESOURCE = "/dev/rkj/stage1/rkj-stage1";

    private Stage1Binary() {}

    /** The binary's bytes, from the jar. */
    public static byte[] bytes() throws IOException {
        try (InputStream in = Stage1Binary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("resource " + RESOURCE + " is missing from the rkj-stage1-native jar:"
                        + " rebuild it with Maven (gcc compiles src/main/c)");
            }
            return in.readAllBytes();
        }
    }

    /**
     * Writes the binary to {@code <dataDir>/stage1/<sha256>/rkj-stage1} (temp file, mode 0755,
     * atomic rename), or reuses it when it is already there. Returns its path.
     */
    public static Path extract(Path dataDir) throws IOException {
        byte[] bytes = bytes();
        Path dir = dataDir.resolve("stage1").resolve(sha256(bytes));
        Path target = dir.resolve("rkj-stage1");
        if (Files.isExecutable(target) && Files.size(target) == bytes.length) {
            return target;
        }
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".rkj-stage1", ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
