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
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The secrets a TCP client must send as {@code Authorization: Bearer <token>}, each with a name the
 * journal records as who asked ({@link Caller}). Read from a file only its owner can read (mode
 * 0600 or stricter), so no token is on a command line or in an environment other processes can see.
 *
 * <p>The file holds one token a line as {@code NAME:SECRET} (blank lines and {@code #} comments
 * skipped), or, as before names, a single secret on its first line, named after the file.
 */
public final class BearerToken {
    /** The shortest token accepted: guessing must not be practical. */
    static final int MIN_LENGTH = 16;
    private static final Set<PosixFilePermission> OWNER_ONLY =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

    private record Named(String name, byte[] secret) {
    }

    private final List<Named> tokens;

    private BearerToken(List<Named> tokens) {
        this.tokens = List.copyOf(tokens);
    }

    /**
     * The tokens in {@code file}.
     *
     * @throws IllegalArgumentException naming the file and what to fix: missing, readable by others,
     *                                  a token too short, a bad or repeated name
     */
    public static BearerToken read(Path file) {
        Set<PosixFilePermission> mode;
        String text;
        try {
            mode = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("token file " + file + " does not exist: create it with"
                    + " (umask 077; echo \"NAME:$(head -c 32 /dev/urandom | base64)\" > " + file + ")");
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalArgumentException("cannot read token file " + file + ": " + e.getMessage());
        }
        if (!OWNER_ONLY.containsAll(mode)) {
            throw new IllegalArgumentException("token file " + file + " can be read by others (mode "
                    + java.nio.file.attribute.PosixFilePermissions.toString(mode) + "): chmod 600 " + file);
        }
        String first = text.lines().findFirst().orElse("").strip();
        List<Named> tokens = new ArrayList<>();
        if (!first.contains(":")) {
            tokens.add(new Named(String.valueOf(file.getFileName()), secret(file, 1, first)));
            return new BearerToken(tokens);
        }
        Set<String> names = new HashSet<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            String name = colon < 0 ? "" : line.substring(0, colon).strip();
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("token file " + file + " line " + (i + 1) + " is not NAME:SECRET"
                        + " with a NAME of letters, digits, '.', '_', '@', '-' (e.g. ci:" + "$(head -c 32 /dev/urandom | base64))");
            }
            if (!names.add(name)) {
                throw new IllegalArgumentException("token file " + file + " names token " + name
                        + " twice (line " + (i + 1) + "): give each token its own name");
            }
            tokens.add(new Named(name, secret(file, i + 1, line.substring(colon + 1).strip())));
        }
        return new BearerToken(tokens);
    }

    private static byte[] secret(Path file, int line, String secret) {
        if (secret.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("token file " + file + " line " + line + " holds " + (secret.isEmpty()
                    ? "no token" : "a token of " + secret.length() + " characters") + ": give at least " + MIN_LENGTH
                    + " (e.g. head -c 32 /dev/urandom | base64)");
        }
        return secret.getBytes(StandardCharsets.UTF_8);
    }

    /** The names of the tokens, in the file's order. */
    public List<String> names() {
        return tokens.stream().map(Named::name).toList();
    }

    /**
     * Lets a request through only with one of these tokens, recording its name as the request's
     * {@link Caller}, or a browser the {@code dashboard} admits (its login, or a read with its session
     * cookie); 401 (as problem+json) otherwise.
     */
    AuthenticationHandler handler(Dashboard dashboard) {
        return new Check(dashboard);
    }

    /** An authentication handler, so Vert.x Web orders it after the body handler and before the routes. */
    private final class Check implements AuthenticationHandler {
        private final Dashboard dashboard;

        Check(Dashboard dashboard) {
            this.dashboard = dashboard;
        }

        @Override
        public void handle(RoutingContext ctx) {
            String header = ctx.request().getHeader("Authorization");
            if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                byte[] sent = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
                Named match = null;
                for (Named token : tokens) { // every one compared, in constant time: no timing tells which was near
                    if (MessageDigest.isEqual(token.secret(), sent)) {
                        match = token;
                    }
                }
                if (match != null) {
                    ctx.put(Caller.KEY, Caller.tokenHolder(match.name()));
                    ctx.next();
                    return;
                }
            } else if (dashboard.admit(ctx)) {
                ctx.next();
                return;
            }
            Problems.send(ctx, new Problem(401, "unauthorized", "Unauthorized",
                    "give the token: Authorization: Bearer <a SECRET of the daemon's --token-file>"
                    + " (a browser: open the URL rkj dashboard prints)", null));
        }
    }
}
