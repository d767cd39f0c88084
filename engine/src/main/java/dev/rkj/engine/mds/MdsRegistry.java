package dev.rkj.engine.mds;

import dev.rkj.stage1.PodDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Pods registered with the metadata service. A registration is the file {@code mds-token} (mode
 * 0600) in the pod's directory, holding the pod's token: 256 bits from {@link SecureRandom}, in
 * unpadded base64url, the path segment of its {@code AC_METADATA_URL}. The pod directory is the
 * only record, so a registration lives and goes with its pod ({@code rkj gc} removes both), and
 * any service process finds it.
 *
 * <p>Thread-safe. Lookups remember the pod of each token seen, and check the pod still holds it.
 */
public final class MdsRegistry {
    /** The registration file in a pod directory. */
    public static final String TOKEN_FILE = "mds-token";
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path podsDir;
    private final Map<String, String> known = new ConcurrentHashMap<>();

    /** @param podsDir {@code <dataDir>/pods}, where each pod has its directory named after its UUID */
    public MdsRegistry(Path podsDir) {
        this.podsDir = podsDir;
    }

    /**
     * Registers the pod of {@code dir} with a fresh token (replacing an earlier one), written
     * atomically, mode 0600 from its creation.
     *
     * @return the token
     * @throws IOException naming the file
     */
    public String register(PodDir dir) throws IOException {
        byte[] bits = new byte[32];
        RANDOM.nextBytes(bits);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
        Path file = dir.path().resolve(TOKEN_FILE);
        Path tmp = Files.createTempFile(dir.path(), "." + TOKEN_FILE, ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, token + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return token;
    }

    /**
     * The UUID of the pod registered with {@code token}, if one is.
     *
     * @throws IOException if the pods directory cannot be read
     */
    public Optional<String> podOf(String token) throws IOException {
        if (token == null || !TOKEN.matcher(token).matches()) {
            return Optional.empty();
        }
        String pod = known.get(token);
        if (pod != null && holds(pod, token)) {
            return Optional.of(pod);
        }
        known.remove(token);
        if (!Files.isDirectory(podsDir)) {
            return Optional.empty();
        }
        Map<String, String> now = new HashMap<>();
        try (DirectoryStream<Path> pods = Files.newDirectoryStream(podsDir)) {
            for (Path dir : pods) {
                String uuid = dir.getFileName().toString();
                String theirs = uuid.startsWith(".") ? null : tokenOf(uuid);
                if (theirs != null) {
                    now.put(theirs, uuid);
                }
            }
        }
        known.keySet().retainAll(now.keySet()); // registrations gone with their pods, or replaced
        known.putAll(now);
        Optional<String> found = Optional.ofNullable(now.get(token));
        return found;
    }

    /** The directory of pod {@code uuid}. */
    public PodDir podDir(String uuid) {
        return PodDir.of(podsDir, uuid);
    }

    private boolean holds(String uuid, String token) {
        return token.equals(tokenOf(uuid));
    }

    private String tokenOf(String uuid) {
        try {
            String text = Files.readString(podsDir.resolve(uuid).resolve(TOKEN_FILE), StandardCharsets.US_ASCII).strip();
            return TOKEN.matcher(text).matches() ? text : null;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null; // unreadable: not a registration this process can serve
        }
    }
}
