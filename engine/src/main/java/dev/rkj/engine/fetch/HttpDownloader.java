package dev.rkj.engine.fetch;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * HTTP(S) GETs with Vert.x: small bodies (discovery pages) through the web client, images streamed
 * to a file while hashing (SHA-512) with the same client underneath. Redirects are followed (at most
 * {@link #MAX_REDIRECTS}); connecting and a silent connection time out; a download cut off midway is
 * resumed with {@code Range}/{@code If-Range} (at most {@link #RESUMES} times) when the server named a
 * validator. Servers are checked against the JVM's trust store unless the caller asks for
 * {@code insecureTls} (rkt's {@code --insecure-options=tls}).
 *
 * <p>Blocking methods: call them on a worker thread, never on an event loop. Thread-safe.
 */
public final class HttpDownloader implements AutoCloseable {
    /** Redirects followed before giving up. */
    public static final int MAX_REDIRECTS = 10;
    /** Resumptions of one interrupted download. */
    public static final int RESUMES = 3;
    private static final Pattern MAX_AGE = Pattern.compile("(?:^|[,\\s])max-age\\s*=\\s*\"?(\\d+)");

    private final Duration connectTimeout;
    private final Duration idleTimeout;
    /** Made at the first request: a fetch the store answers starts no event loop. Guarded by this. */
    private Vertx vertx;
    private HttpClientAgent strict;
    private HttpClientAgent trustAll;
    private WebClient strictWeb;
    private WebClient trustAllWeb;

    /** With a connect timeout of 30 s and an idle timeout of 60 s. */
    public HttpDownloader() {
        this(Duration.ofSeconds(30), Duration.ofSeconds(60));
    }

    public HttpDownloader(Duration connectTimeout, Duration idleTimeout) {
        this.connectTimeout = connectTimeout;
        this.idleTimeout = idleTimeout;
    }

    private synchronized Vertx started() {
        if (vertx == null) {
            // its own small Vert.x: the first request loads Netty and TLS classes on the loop, seconds on a busy
            // machine, which is not a stuck loop worth a warning on the user's terminal
            vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                    .setMaxEventLoopExecuteTime(30).setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS));
            strict = vertx.createHttpClient(options(false));
            trustAll = vertx.createHttpClient(options(true));
            strictWeb = WebClient.wrap(strict, new WebClientOptions().setMaxRedirects(MAX_REDIRECTS));
            trustAllWeb = WebClient.wrap(trustAll, new WebClientOptions().setMaxRedirects(MAX_REDIRECTS));
        }
        return vertx;
    }

    private synchronized HttpClientAgent client(boolean insecureTls) {
        started();
        return insecureTls ? trustAll : strict;
    }

    private synchronized WebClient web(boolean insecureTls) {
        started();
        return insecureTls ? trustAllWeb : strictWeb;
    }

    private HttpClientOptions options(boolean insecureTls) {
        HttpClientOptions o = new HttpClientOptions().setMaxRedirects(MAX_REDIRECTS)
                .setConnectTimeout((int) connectTimeout.toMillis())
                .setIdleTimeout((int) Math.max(1, idleTimeout.toSeconds())).setIdleTimeoutUnit(TimeUnit.SECONDS);
        if (insecureTls) {
            o.setTrustAll(true).setVerifyHost(false);
        }
        return o;
    }

    /** What a GET of a small resource found. */
    public record Page(int status, URI finalUrl, String body) {}

    /** GETs {@code url} whole (a discovery page, a key): any status is returned, not thrown. */
    public Page get(URI url, boolean insecureTls) throws FetchException {
        WebClient web = web(insecureTls);
        HttpResponse<Buffer> response = await(url, web.getAbs(url.toString()).followRedirects(true)
                .connectTimeout(connectTimeout.toMillis()).idleTimeout(idleTimeout.toMillis()).send());
        URI last = response.followedRedirects().isEmpty() ? url
                : URI.create(response.followedRedirects().get(response.followedRedirects().size() - 1));
        return new Page(response.statusCode(), last, response.bodyAsString());
    }

    /** What a download found. */
    public sealed interface Result {}

    /** The server says the copy asked about is current (304). */
    public record NotModified(URI finalUrl) implements Result {}

    /** The server has no such resource (any 4xx, e.g. 404). */
    public record Missing(URI finalUrl, int status) implements Result {}

    /**
     * The body is in the target file.
     *
     * @param maxAge how long it may be used without asking again, per {@code Cache-Control}; zero when not said
     * @param digest {@code sha512-<hex>} of the body
     */
    public record Downloaded(URI finalUrl, String etag, String lastModified, Duration maxAge, long bytes, String digest,
                             int resumes) implements Result {}

    /** A validator of a copy, for a conditional GET. */
    public record Validators(String etag, String lastModified) {}

    /**
     * Downloads {@code url} into {@code target} (replacing its content), hashing it on the way.
     *
     * @param ifChanged when not null, ask with {@code If-None-Match}/{@code If-Modified-Since}: a 304 is {@link NotModified}
     */
    public Result download(URI url, Path target, Validators ifChanged, boolean insecureTls, FetchProgress progress)
            throws FetchException {
        HttpClientAgent client = client(insecureTls);
        String subject = url.toString();
        long have = 0;
        String validator = null;
        int resumes = 0;
        FetchException last = null;
        while (true) {
            RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(subject)
                    .setFollowRedirects(true).setConnectTimeout(connectTimeout.toMillis())
                    .setIdleTimeout(idleTimeout.toMillis());
            if (have > 0) {
                request.putHeader("Range", "bytes=" + have + "-").putHeader("If-Range", validator);
            } else if (ifChanged != null) {
                if (ifChanged.etag() != null) {
                    request.putHeader("If-None-Match", ifChanged.etag());
                }
                if (ifChanged.lastModified() != null) {
                    request.putHeader("If-Modified-Since", ifChanged.lastModified());
                }
            }
            Attempt attempt = new Attempt(target, have, progress, subject, have > 0 ? digestOf(target, have) : sha512());
            try {
                Attempt.Outcome o = await(url, client.request(request).compose(req -> req.send())
                        .compose(attempt::receive));
                if (o.status() == 304) {
                    return new NotModified(o.finalUrl());
                }
                if (o.status() >= 400 && o.status() < 500) {
                    return new Missing(o.finalUrl(), o.status());
                }
                if (o.status() != 200 && o.status() != 206) {
                    throw new FetchException("cannot fetch " + subject + ": the server answered HTTP " + o.status()
                            + (o.finalUrl().toString().equals(subject) ? "" : " (at " + o.finalUrl() + ")")
                            + ": try again later, or ask its owner", o.status() >= 500, null);
                }
                progress.update(subject, o.total(), o.total(), true);
                return new Downloaded(o.finalUrl(), o.etag(), o.lastModified(), maxAge(o.cacheControl()), o.total(),
                        "sha512-" + HexFormat.of().formatHex(attempt.digest.digest()), resumes);
            } catch (FetchException e) {
                Optional<Attempt.Outcome> partial = attempt.partial();
                if (partial.isEmpty() || partial.get().validator() == null || resumes >= RESUMES || !e.isTransient()) {
                    progress.update(subject, 0, -1, true);
                    throw last == null || partial.isPresent() ? e : last;
                }
                last = e;
                validator = partial.get().validator();
                have = sizeOf(target); // what reached the file (the counted bytes, unless a write failed)
                resumes++;
            }
        }
    }

    /** One GET of a download: status and headers first, then the body into the file. */
    private final class Attempt {
        /** What the response said, and how many bytes of the whole the file holds. */
        record Outcome(int status, URI finalUrl, String etag, String lastModified, String cacheControl, long total,
                       String validator) {}

        private final Path target;
        private final long have;
        private final FetchProgress progress;
        private final String subject;
        private volatile Outcome head;
        private final AtomicLong written = new AtomicLong();
        private volatile boolean failed;

        /** The body's SHA-512 so far: the resumed prefix's, then each chunk as it is written. */
        private final MessageDigest digest;

        Attempt(Path target, long have, FetchProgress progress, String subject, MessageDigest digest) {
            this.digest = digest;
            this.target = target;
            this.have = have;
            this.progress = progress;
            this.subject = subject;
        }

        /** The head of a response whose body came in part, if it was a body worth resuming. */
        Optional<Outcome> partial() {
            Outcome h = head;
            if (h == null || (h.status() != 200 && h.status() != 206) || written.get() == 0 && h.total() == 0) {
                return Optional.empty();
            }
            return Optional.of(new Outcome(h.status(), h.finalUrl(), h.etag(), h.lastModified(), h.cacheControl(),
                    h.total() + written.get(), h.validator()));
        }

        Future<Outcome> receive(HttpClientResponse response) {
            response.pause(); // until the file is open: no chunk, and not the end, may pass unseen
            int status = response.statusCode();
            URI finalUrl = URI.create(response.request().absoluteURI());
            String etag = response.getHeader("ETag");
            String lastModified = response.getHeader("Last-Modified");
            // a weak ETag cannot make a range request safe: If-Range needs a strong one or a date
            String validator = etag != null && !etag.startsWith("W/") ? etag : lastModified;
            boolean resumed = status == 206 && have > 0 && startsAt(response.getHeader("Content-Range"), have);
            long base = resumed ? have : 0;
            if (!resumed) {
                digest.reset(); // the server sent the whole body: start over
            }
            long length = parseLong(response.getHeader("Content-Length"));
            long total = length < 0 ? -1 : base + length;
            head = new Outcome(status, finalUrl, etag, lastModified, response.getHeader("Cache-Control"), base, validator);
            if (status != 200 && !resumed) {
                Future<Outcome> drained = response.body().map(ignored -> head);
                response.resume();
                return drained;
            }
            Promise<Outcome> done = Promise.promise();
            OpenOptions open = new OpenOptions().setWrite(true).setCreate(true).setTruncateExisting(!resumed)
                    .setAppend(resumed);
            started().fileSystem().open(target.toString(), open).onFailure(done::fail).onSuccess(file -> {
                pipe(response, file, base, total, done);
            });
            return done.future();
        }

        private void pipe(HttpClientResponse response, AsyncFile file, long base, long total, Promise<Outcome> done) {
            response.handler(chunk -> {
                if (done.future().isComplete() || failed) {
                    return; // after a failure the file is closing: what is written counts, the rest is asked again
                }
                file.write(chunk);
                digest.update(chunk.getBytes());
                long now = base + written.addAndGet(chunk.length());
                progress.update(subject, now, total, false);
                if (file.writeQueueFull()) {
                    response.pause();
                    file.drainHandler(v -> response.resume());
                }
            });
            response.exceptionHandler(e -> {
                failed = true;
                file.close().onComplete(c -> done.tryFail(e));
            });
            response.endHandler(v -> {
                if (failed) {
                    return;
                }
                file.close().onComplete(c -> {
                    long got = base + written.get();
                    if (total >= 0 && got != total) {
                        done.tryFail(new IOException("the connection ended after " + got + " of " + total + " bytes"));
                    } else if (c.failed()) {
                        done.tryFail(c.cause());
                    } else {
                        Outcome h = head;
                        done.tryComplete(new Outcome(h.status(), h.finalUrl(), h.etag(), h.lastModified(), h.cacheControl(),
                                got, h.validator()));
                    }
                });
            });
            response.resume();
        }
    }

    private static boolean startsAt(String contentRange, long offset) {
        return contentRange != null && contentRange.trim().toLowerCase(Locale.ROOT).startsWith("bytes " + offset + "-");
    }

    private static long parseLong(String value) {
        try {
            return value == null ? -1 : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** {@code Cache-Control}'s {@code max-age}; zero when absent or when {@code no-cache}/{@code no-store} say not to keep it. */
    static Duration maxAge(String cacheControl) {
        if (cacheControl == null) {
            return Duration.ZERO;
        }
        String lower = cacheControl.toLowerCase(Locale.ROOT);
        if (lower.contains("no-cache") || lower.contains("no-store")) {
            return Duration.ZERO;
        }
        Matcher m = MAX_AGE.matcher(lower);
        return m.find() ? Duration.ofSeconds(Long.parseLong(m.group(1))) : Duration.ZERO;
    }

    /** A SHA-512 digest over the first {@code length} bytes of {@code file} (what a resumed download has). */
    static MessageDigest digestOf(Path file, long length) throws FetchException {
        MessageDigest md = sha512();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            long left = length;
            for (int n; left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0; left -= n) {
                md.update(buffer, 0, n);
            }
            return md;
        } catch (IOException e) {
            throw new FetchException("cannot read the download " + file + ": " + e.getMessage(), true, e);
        }
    }

    private static long sizeOf(Path file) throws FetchException {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new FetchException("cannot read the download " + file + ": " + e.getMessage(), true, e);
        }
    }

    private static MessageDigest sha512() {
        try {
            return MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-512", e);
        }
    }

    private static <T> T await(URI url, Future<T> future) throws FetchException {
        try {
            return future.toCompletionStage().toCompletableFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException("fetching " + url + " was interrupted", true, e);
        } catch (ExecutionException e) {
            throw failure(url, e.getCause());
        }
    }

    /** One line naming the URL, what failed and what to do. */
    static FetchException failure(URI url, Throwable cause) {
        String host = url.getHost();
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (c instanceof UnknownHostException) {
                return new FetchException("cannot fetch " + url + ": the host name " + host
                        + " does not resolve (DNS): check the name and the network", true, cause);
            }
            if (c instanceof SSLException) {
                return new FetchException("cannot fetch " + url + ": TLS failed (" + oneLine(c)
                        + "); if the server has a self-signed certificate you trust, pass --insecure-options=tls",
                        false, cause);
            }
            if (c instanceof ConnectException) {
                return new FetchException("cannot fetch " + url + ": cannot connect to " + host + " (" + oneLine(c)
                        + "): check that the server is up and the URL's port", true, cause);
            }
            if (c instanceof TimeoutException || c instanceof io.netty.handler.timeout.TimeoutException
                    || c.getClass().getSimpleName().contains("Timeout")) {
                return new FetchException("cannot fetch " + url + ": the server went silent (timed out): try again"
                        + " later", true, cause);
            }
        }
        return new FetchException("cannot fetch " + url + ": " + oneLine(cause) + ": try again", true, cause);
    }

    private static String oneLine(Throwable t) {
        String m = t.getMessage() == null ? "connection failed" : t.getMessage();
        return m.replace('\n', ' ').strip();
    }

    @Override
    public synchronized void close() {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
            vertx = null;
        }
    }
}
