package dev.rkj.engine.fetch;

import dev.rkj.engine.Grantor;
import dev.rkj.engine.appc.ImageId;
import dev.rkj.engine.store.ImageNotFoundException;
import dev.rkj.engine.store.ImageOrigin;
import dev.rkj.engine.store.ImageRecord;
import dev.rkj.engine.store.ImageReference;
import dev.rkj.engine.store.ImageStore;
import dev.rkj.engine.store.ImageStoreException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Images from elsewhere into the store: an {@code http(s)://} URL, or an appc name found by
 * {@link Discovery}, per a {@link PullPolicy}. A download goes to a temporary file of the store, its
 * detached signature (the discovered signature URL, or {@code <url>.asc}) to that file's
 * {@code .asc} beside it when the server has one, and the store keeps it, recording its
 * {@link ImageOrigin}. {@link HttpCache} remembers each URL's validators, so fetching again costs
 * one conditional request, or none within {@code max-age}.
 *
 * <p>Blocking: call on a worker thread. Thread-safe.
 */
public final class RemoteImages implements AutoCloseable {
    private final ImageStore store;
    private final HttpDownloader http;
    private final HttpCache cache;
    private final Discovery discovery;
    private final Clock clock;

    /** Over {@code store}, downloading with {@code http} (closed with this) and discovering with {@code discovery}. */
    public RemoteImages(ImageStore store, HttpDownloader http, Discovery discovery, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.http = Objects.requireNonNull(http, "http");
        this.cache = new HttpCache(store.directory());
        this.discovery = Objects.requireNonNull(discovery, "discovery");
        this.clock = clock;
    }

    /** Over {@code store}, with a downloader of its own (closed with this). */
    public static RemoteImages open(ImageStore store) {
        return open(store, Discovery::specPage);
    }

    /**
     * Over {@code store}, with a downloader of its own (closed with this), discovering on the pages
     * {@code discoveryPages} names (see {@link Discovery#Discovery(HttpDownloader, BiFunction)}).
     */
    public static RemoteImages open(ImageStore store, BiFunction<String, String, URI> discoveryPages) {
        HttpDownloader http = new HttpDownloader();
        return new RemoteImages(store, http, new Discovery(http, discoveryPages), Clock.systemUTC());
    }

    /** The discovery this fetches names with (also for {@link Discovery#pubkeys}). */
    public Discovery discovery() {
        return discovery;
    }

    /** Whether {@code ref} is a URL this fetches ({@code http://} or {@code https://}). */
    public static boolean isUrl(String ref) {
        String lower = ref.toLowerCase(Locale.ROOT);
        return lower.startsWith("https://") || lower.startsWith("http://");
    }

    /**
     * How to fetch.
     *
     * @param policy      when to ask the server
     * @param allowHttp   plain HTTP allowed ({@code --insecure-options=http})
     * @param insecureTls any certificate accepted ({@code --insecure-options=tls})
     * @param requestedBy who asked (recorded on {@code image.stored}), or null
     * @param progress    where download progress goes
     */
    public record Options(PullPolicy policy, boolean allowHttp, boolean insecureTls, Grantor requestedBy,
                          FetchProgress progress, dev.rkj.engine.store.SignaturePolicy signatures) {
        public Options {
            Objects.requireNonNull(policy, "policy");
            progress = progress == null ? FetchProgress.NONE : progress;
        }

        /** Options that leave the signature unchecked (the verify stage, or the caller, decides). */
        public Options(PullPolicy policy, boolean allowHttp, boolean insecureTls, Grantor requestedBy,
                       FetchProgress progress) {
            this(policy, allowHttp, insecureTls, requestedBy, progress, null);
        }
    }

    /**
     * An image and whether it was downloaded now.
     *
     * @param downloaded false when the store had it (the policy allowed it, {@code max-age} held, or the server said 304)
     */
    public record Fetched(ImageRecord image, boolean downloaded) {}

    /**
     * Fetches {@code ref}, a URL or an image name (with labels).
     *
     * @throws FetchException naming the URL or name, what failed and what to do
     */
    public Fetched fetch(String ref, Options options) throws FetchException, ImageStoreException {
        if (isUrl(ref)) {
            URI url = parseUrl(ref);
            return fetchUrl(url, options, null, null, null);
        }
        ImageReference parsed = ImageReference.parse(ref);
        if (!(parsed instanceof ImageReference.ByName byName)) {
            return new Fetched(store.resolve(ref), false); // an image id: the store has it or nothing does
        }
        return fetchName(byName, options);
    }

    private static URI parseUrl(String ref) throws FetchException {
        try {
            URI url = new URI(ref);
            if (url.getHost() == null) {
                throw new FetchException("cannot fetch " + ref + ": the URL has no host: write it as https://HOST/PATH");
            }
            return url;
        } catch (java.net.URISyntaxException e) {
            throw new FetchException("cannot fetch " + ref + ": not a URL (" + e.getReason() + ")");
        }
    }

    private Fetched fetchName(ImageReference.ByName ref, Options options) throws FetchException, ImageStoreException {
        String missing = null;
        if (options.policy() != PullPolicy.UPDATE) {
            try {
                return new Fetched(store.resolve(ref.text()), false);
            } catch (ImageNotFoundException e) {
                if (options.policy() == PullPolicy.NEVER) {
                    throw new FetchException(e.getMessage() + "; --pull-policy=never fetches nothing: use"
                            + " --pull-policy=new to discover and fetch it");
                }
                missing = e.getMessage();
            }
        }
        List<Discovery.Endpoint> endpoints;
        try {
            endpoints = discovery.endpoints(ref.name(), ref.labels(), options.allowHttp(), options.insecureTls());
        } catch (FetchException e) {
            if (missing == null) {
                throw e;
            }
            // both halves: a typo shows as a store miss, a server problem as what discovery met
            throw new FetchException(missing + "; " + e.getMessage(), e.isTransient(), e);
        }
        List<String> failures = new ArrayList<>();
        for (Discovery.Endpoint endpoint : endpoints) {
            try {
                Fetched fetched = fetchUrl(endpoint.imageUrl(), options, ref, endpoint.template(), endpoint.signatureUrl());
                checkMatches(ref, fetched);
                return fetched;
            } catch (NotThere e) {
                failures.add(e.getMessage());
            }
        }
        throw new FetchException("cannot fetch " + ref.text() + ": discovery found it nowhere: "
                + String.join("; ", failures) + "; check the name and its labels (version, os, arch)");
    }

    /** The spec's rule: the manifest must have the name and the labels that were discovered. */
    private void checkMatches(ImageReference.ByName ref, Fetched fetched) throws FetchException, ImageStoreException {
        ImageRecord image = fetched.image();
        List<String> wrong = new ArrayList<>();
        if (!image.name().equals(ref.name())) {
            wrong.add("name " + image.name());
        }
        for (Map.Entry<String, String> label : ref.labels().entrySet()) {
            Optional<String> has = image.manifest().label(label.getKey());
            if (has.isEmpty() || !has.get().equals(label.getValue())) {
                wrong.add(label.getKey() + "=" + has.orElse("(none)"));
            }
        }
        if (!wrong.isEmpty()) {
            if (fetched.downloaded()) {
                store.remove(image.id(), null);
            }
            throw new FetchException("cannot fetch " + ref.text() + ": discovery led to " + image.source()
                    + ", an image with " + String.join(", ", wrong) + ": the server's templates are wrong for this"
                    + " name; tell its owner, or give the URL of the image you want");
        }
    }

    /** A URL that answered 4xx: the next endpoint may have it. */
    private static final class NotThere extends FetchException {
        NotThere(String message) {
            super(message);
        }
    }

    private Fetched fetchUrl(URI url, Options options, ImageReference.ByName discoveredAs, String template,
                             URI signatureUrl) throws FetchException, ImageStoreException {
        String key = url.toString();
        if ("http".equalsIgnoreCase(url.getScheme()) && !options.allowHttp()) {
            throw new FetchException("cannot fetch " + key + ": plain HTTP is refused (anyone on the way can change"
                    + " the image): use https://, or pass --insecure-options=http");
        }
        Optional<HttpCache.Entry> cached = cache.get(key);
        Optional<ImageRecord> stored = cached.flatMap(e -> storedImage(e.imageId()));
        if (stored.isPresent()) {
            boolean fresh = cached.get().fresh(clock.instant());
            if (options.policy() != PullPolicy.UPDATE || fresh) {
                return new Fetched(stored.get(), false);
            }
        } else if (options.policy() == PullPolicy.NEVER) {
            throw new FetchException("cannot fetch " + key + ": it is not in the store and --pull-policy=never fetches"
                    + " nothing: use --pull-policy=new");
        }
        Path temp = store.newDownloadFile(key);
        Path signature = Path.of(temp + ".asc");
        try {
            HttpDownloader.Validators ifChanged = stored.isPresent()
                    ? new HttpDownloader.Validators(cached.get().etag(), cached.get().lastModified()) : null;
            HttpDownloader.Result result = http.download(url, temp, ifChanged, options.insecureTls(), options.progress());
            if (result instanceof HttpDownloader.NotModified) {
                remember(new HttpCache.Entry(key, cached.get().etag(), cached.get().lastModified(),
                        cached.get().freshUntil(), cached.get().imageId()));
                return new Fetched(stored.get(), false);
            }
            if (result instanceof HttpDownloader.Missing missing) {
                throw new NotThere("cannot fetch " + key + ": the server answered HTTP " + missing.status()
                        + (missing.status() == 404 ? " (not found)" : "") + ": check the URL");
            }
            HttpDownloader.Downloaded got = (HttpDownloader.Downloaded) result;
            URI sigUrl = signatureUrl != null ? signatureUrl : URI.create(got.finalUrl() + ".asc");
            HttpDownloader.Result sig = http.download(sigUrl, signature, null, options.insecureTls(), FetchProgress.NONE);
            boolean signed = sig instanceof HttpDownloader.Downloaded;
            if (!signed) {
                Files.deleteIfExists(signature); // none on the server: verification decides what that means
            }
            ImageOrigin origin = new ImageOrigin(got.finalUrl().toString(),
                    discoveredAs == null ? null : discoveredAs.text(), template, got.etag(), got.digest(),
                    signed ? sigUrl.toString() : null);
            ImageRecord image = store.fetch(temp, options.requestedBy(), options.signatures(), origin);
            Instant freshUntil = got.maxAge().isZero() ? null : clock.instant().plus(got.maxAge());
            remember(new HttpCache.Entry(key, got.etag(), got.lastModified(), freshUntil, image.id().toString()));
            return new Fetched(image, true);
        } catch (IOException e) {
            throw new FetchException("cannot fetch " + key + ": " + e.getMessage(), true, e);
        } finally {
            deleteQuietly(temp);
            deleteQuietly(signature);
        }
    }

    private void remember(HttpCache.Entry entry) {
        try {
            cache.put(entry);
        } catch (IOException e) {
            // the image is stored; without the entry the next fetch downloads it again, which is correct
        }
    }

    private Optional<ImageRecord> storedImage(String imageId) {
        try {
            return store.index().find(ImageId.parse(imageId));
        } catch (ImageStoreException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a temporary of the store: its gc removes it
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
