package dev.rkj.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rkj.eventlog.Json;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The web dashboard at {@code /} (static ES modules from the jar, {@code dev/rkj/api/dashboard/}) and how
 * a browser gets in on TCP, as Jupyter does: {@code rkj dashboard} asks the daemon (over its socket, or
 * with a bearer token) for a login URL, {@code POST /v1/dashboard/login}; the URL's token is good once,
 * for {@link #LOGIN_TTL}, and {@code GET /login?token=...} turns it into a session cookie (HttpOnly,
 * SameSite=Strict) good for {@link #SESSION_TTL}.
 *
 * <p>A session reads only: {@code GET}s, and {@code POST /v1/journal/verify}, which writes nothing. The
 * cookie is signed with a key in the data directory ({@link #KEY_FILE}, mode 0600), so a session
 * outlives a daemon restart (the page resumes its event stream); deleting the key ends every session.
 *
 * <p>One per daemon, shared by its servers: the socket mints, the TCP server admits. Its two maps are
 * touched from the servers' event loops, hence concurrent.
 */
public final class Dashboard {
    /** Where the signing key of sessions is kept, under the data directory. */
    public static final String KEY_FILE = "dashboard/session.key";
    static final Duration LOGIN_TTL = Duration.ofMinutes(5);
    static final Duration SESSION_TTL = Duration.ofHours(12);
    static final String COOKIE = "rkj_session";
    private static final String RESOURCES = "dev/rkj/api/dashboard";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private record Login(Instant expires, String minter) {
    }

    private final byte[] key;
    private final Clock clock;
    private final Map<String, Login> logins = new ConcurrentHashMap<>();
    private final List<String> tcp = new CopyOnWriteArrayList<>();

    private Dashboard(byte[] key, Clock clock) {
        this.key = key.clone();
        this.clock = clock;
    }

    /** The dashboard of the daemon on {@code dataDir}: its key read, or made on first use. */
    public static Dashboard of(Path dataDir) {
        return new Dashboard(key(dataDir.resolve(KEY_FILE)), Clock.systemUTC());
    }

    /** A dashboard whose sessions end with it (a key in memory only): for servers started without a daemon. */
    static Dashboard ephemeral() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return new Dashboard(key, Clock.systemUTC());
    }

    private static byte[] key(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.getParent());
                byte[] key = new byte[32];
                RANDOM.nextBytes(key);
                Path temp = Files.createTempFile(file.getParent(), ".key", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.write(temp, key);
                try {
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE); // another daemon's key, if first, wins below
                } catch (IOException e) {
                    Files.deleteIfExists(temp);
                    throw e;
                }
            }
            byte[] key = Files.readAllBytes(file);
            if (key.length < 32) {
                throw new IllegalStateException("dashboard key " + file + " is too short: delete it and restart the daemon");
            }
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or make the dashboard key " + file + ": " + e.getMessage(), e);
        }
    }

    /** The daemon also serves on TCP at {@code host:port}: login URLs point there. */
    public void servedAt(String host, int port) {
        tcp.add("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port);
    }

    /** The page and its modules, the login exchange, and the minting of login URLs. */
    void mount(Router router) {
        router.post("/v1/dashboard/login").handler(this::mint);
        router.get("/login").handler(this::login);
        StaticHandler files = StaticHandler.create(RESOURCES).setCachingEnabled(false).setDirectoryListing(false)
                .setIndexPage("index.html");
        router.get("/").handler(ctx -> {
            ctx.response().putHeader("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:");
            ctx.next();
        });
        router.get("/").handler(files);
        router.get("/ui/*").handler(StaticHandler.create(RESOURCES).setCachingEnabled(false).setDirectoryListing(false));
    }

    private void mint(RoutingContext ctx) {
        Caller caller = Caller.of(ctx);
        if (caller.token() != null && caller.token().startsWith(SESSION_PREFIX)) {
            throw new Problem(403, "session-cannot-mint", "Forbidden", "a dashboard session cannot make login URLs:"
                    + " run rkj dashboard where the daemon's socket is", null);
        }
        if (tcp.isEmpty()) {
            throw new Problem(409, "no-tcp", "Conflict", "the daemon serves no TCP address a browser can open: restart it"
                    + " with --listen 127.0.0.1:8347 --token-file FILE", null);
        }
        byte[] raw = new byte[24];
        RANDOM.nextBytes(raw);
        String token = B64.encodeToString(raw);
        Instant expires = clock.instant().plus(LOGIN_TTL);
        logins.values().removeIf(l -> l.expires().isBefore(clock.instant()));
        logins.put(token, new Login(expires, caller.describe()));
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("expires_at", expires.toString());
        tcp.forEach(base -> n.withArray("urls").add(base + "/login?token=" + token));
        ApiContext.json(ctx, 201, n);
    }

    private static final String SESSION_PREFIX = "dashboard session of ";

    private void login(RoutingContext ctx) {
        String token = ctx.request().getParam("token");
        Login login = token == null ? null : logins.remove(token);
        if (login == null || login.expires().isBefore(clock.instant())) {
            ctx.response().setStatusCode(401).putHeader("Content-Type", "text/plain; charset=utf-8")
                    .end("This login URL is used, expired or unknown: run rkj dashboard for a new one.\n");
            return;
        }
        long until = clock.instant().plus(SESSION_TTL).getEpochSecond();
        String who = B64.encodeToString(login.minter().getBytes(StandardCharsets.UTF_8));
        String value = "v1." + until + "." + who;
        ctx.response().addCookie(Cookie.cookie(COOKIE, value + "." + sign(value)).setHttpOnly(true)
                .setSameSite(CookieSameSite.STRICT).setPath("/").setMaxAge(SESSION_TTL.toSeconds()));
        ctx.response().setStatusCode(303).putHeader("Location", "/").putHeader("Cache-Control", "no-store").end();
    }

    /**
     * Admits a request without a bearer token if it is the login exchange, or a read with a valid
     * session cookie (its {@link Caller} put on the context). False: the caller answers 401.
     */
    boolean admit(RoutingContext ctx) {
        if (ctx.request().method() == HttpMethod.GET && "/login".equals(ctx.request().path())) {
            return true;
        }
        Cookie cookie = ctx.request().getCookie(COOKIE);
        String who = cookie == null ? null : session(cookie.getValue());
        if (who == null || !reads(ctx)) {
            return false;
        }
        ctx.put(Caller.KEY, Caller.tokenHolder(SESSION_PREFIX + who));
        return true;
    }

    private static boolean reads(RoutingContext ctx) {
        HttpMethod m = ctx.request().method();
        return m == HttpMethod.GET || m == HttpMethod.HEAD
                || m == HttpMethod.POST && "/v1/journal/verify".equals(ctx.request().path());
    }

    /** Who minted the session's login, if {@code value} is a session of ours not yet expired; else null. */
    String session(String value) {
        int last = value.lastIndexOf('.');
        if (last < 0) {
            return null;
        }
        String signed = value.substring(0, last);
        if (!MessageDigest.isEqual(sign(signed).getBytes(StandardCharsets.US_ASCII),
                value.substring(last + 1).getBytes(StandardCharsets.US_ASCII))) {
            return null;
        }
        String[] parts = signed.split("\\.");
        if (parts.length != 3 || !parts[0].equals("v1")) {
            return null;
        }
        try {
            if (Long.parseLong(parts[1]) < clock.instant().getEpochSecond()) {
                return null;
            }
            return new String(Base64.getUrlDecoder().decode(parts[2]), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private String sign(String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return B64.encodeToString(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}
