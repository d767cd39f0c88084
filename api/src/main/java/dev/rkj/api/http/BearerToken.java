package dev.rkj.api.http;

import io.vertx.ext.web.handler.AuthenticationHandler;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.Set;

/**
 * The secret a TCP client must send as {@code Authorization: Bearer <token>}. Read from a file only
 * its owner can read (mode 0600 or stricter), so the token is not on a command line or in an
 * environment other processes can see.
 */
public final class BearerToken {
    /** The shortest token accepted: guessing must not be practical. */
    static final int MIN_LENGTH = 16;
    private static final Set<PosixFilePermission> OWNER_ONLY =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private final byte[] token;

    private BearerToken(byte[] token) {
        this.token = token;
    }

    /**
     * The token in {@code file} (its first line, trimmed).
     *
     * @throws IllegalArgumentException naming the file and what to fix: missing, readable by others, too short
     */
    public static BearerToken read(Path file) {
        Set<PosixFilePermission> mode;
        String text;
        try {
            mode = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("token file " + file + " does not exist: create it with"
                    + " (umask 077; head -c 32 /dev/urandom | base64 > " + file + ")");
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalArgumentException("cannot read token file " + file + ": " + e.getMessage());
        }
        if (!OWNER_ONLY.containsAll(mode)) {
            throw new IllegalArgumentException("token file " + file + " can be read by others (mode "
                    + java.nio.file.attribute.PosixFilePermissions.toString(mode) + "): chmod 600 " + file);
        }
        String line = text.lines().findFirst().orElse("").strip();
        if (line.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("token file " + file + " holds " + (line.isEmpty() ? "no token"
                    : "a token of " + line.length() + " characters") + ": give at least " + MIN_LENGTH
                    + " (e.g. head -c 32 /dev/urandom | base64)");
        }
        return new BearerToken(line.getBytes(StandardCharsets.UTF_8));
    }

    /** Lets a request through only with this token; 401 (as problem+json) otherwise. */
    AuthenticationHandler handler() {
        return new Check();
    }

    /** An authentication handler, so Vert.x Web orders it after the body handler and before the routes. */
    private final class Check implements AuthenticationHandler {
        @Override
        public void handle(RoutingContext ctx) {
            String header = ctx.request().getHeader("Authorization");
            if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                    && MessageDigest.isEqual(token, header.substring(7).strip().getBytes(StandardCharsets.UTF_8))) {
                ctx.next();
                return;
            }
            Problems.send(ctx, new Problem(401, "unauthorized", "Unauthorized",
                    "give the token: Authorization: Bearer <the contents of the daemon's --token-file>", null));
        }
    }
}
