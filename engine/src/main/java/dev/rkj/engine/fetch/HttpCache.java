package dev.rkj.engine.fetch;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rkj.eventlog.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * What the servers said about each downloaded URL, so that the next fetch of it is one conditional
 * request, or none while {@code Cache-Control: max-age} holds. The one owner of its layout:
 * <pre>
 * cas/http-cache/&lt;sha256 of the URL&gt;.json    one {@link Entry} per URL
 * </pre>
 * Not a source of truth: the journal says what is stored; an entry only names the image a URL gave
 * last time and how to ask again. A lost or unreadable entry costs one full download. Writes are
 * atomic (temp + rename); the last writer wins.
 */
public final class HttpCache {
    /** The directory under the image store ({@code cas}). */
    public static final String DIRECTORY = "http-cache";

    private final Path directory;

    public HttpCache(Path storeDirectory) {
        this.directory = storeDirectory.resolve(DIRECTORY);
    }

    /**
     * What a URL gave last time.
     *
     * @param url          the URL as asked for
     * @param etag         its {@code ETag}, or {@code null}
     * @param lastModified its {@code Last-Modified}, or {@code null}
     * @param freshUntil   until when it may be used without asking ({@code max-age}), or {@code null}
     * @param imageId      the image it was stored as
     */
    public record Entry(String url, String etag, String lastModified, Instant freshUntil, String imageId) {
        public Entry {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(imageId, "imageId");
        }

        /** Whether {@code max-age} still holds at {@code now}. */
        public boolean fresh(Instant now) {
            return freshUntil != null && now.isBefore(freshUntil);
        }
    }

    /** The entry of {@code url}, if one is there and reads. */
    public Optional<Entry> get(String url) {
        try {
            Entry entry = Json.mapper().readValue(Files.readAllBytes(fileOf(url)), Entry.class);
            return url.equals(entry.url()) ? Optional.of(entry) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // a torn or foreign file: the next download rewrites it
        }
    }

    /** Records {@code entry}, replacing the URL's previous one. */
    public void put(Entry entry) throws IOException {
        Files.createDirectories(directory);
        Path target = fileOf(entry.url());
        Path temp = Files.createTempFile(directory, ".entry-", ".tmp");
        try {
            Files.write(temp, bytes(entry));
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static byte[] bytes(Entry entry) throws JsonProcessingException {
        return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(entry).getBytes(StandardCharsets.UTF_8);
    }

    private Path fileOf(String url) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(url.getBytes(StandardCharsets.UTF_8));
            return directory.resolve(HexFormat.of().formatHex(digest) + ".json");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
