package dev.rkj.engine.fetch;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * appc image discovery ({@code spec/discovery.md}): finds the {@code ac-discovery} templates of an
 * image name on {@code https://{name}?ac-discovery=1}, walking up the name's path until a page has
 * templates for it, and renders them with the name and labels into image and signature URLs. Plain
 * HTTP is tried (after HTTPS) only when the caller allows it ({@code --insecure-options=http}).
 * {@link #pubkeys} reads the {@code ac-discovery-pubkeys} tags the same way, for {@code rkj trust --prefix}.
 *
 * <p>Blocking: call on a worker thread.
 */
public final class Discovery {
    /** The version a name without one is discovered as. */
    public static final String DEFAULT_VERSION = "latest";
    private static final Pattern META = Pattern.compile("<meta\\s([^>]*)>", Pattern.CASE_INSENSITIVE);
    private static final Pattern ATTRIBUTE = Pattern.compile(
            "([a-zA-Z-]+)\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s\"'>]+))");
    private static final Pattern VARIABLE = Pattern.compile("\\{([^{}]*)\\}");

    private final HttpDownloader http;
    private final BiFunction<String, String, URI> discoveryUrl;

    /** Discovery as the spec says: {@code https://{prefix}?ac-discovery=1}. */
    public Discovery(HttpDownloader http) {
        this(http, Discovery::specPage);
    }

    /** Where the spec says the discovery page of {@code prefix} is: {@code scheme://{prefix}?ac-discovery=1}. */
    public static URI specPage(String scheme, String prefix) {
        return URI.create(scheme + "://" + prefix + "?ac-discovery=1");
    }

    /**
     * Discovery that asks {@code discoveryUrl.apply(scheme, prefix)} for the page of a prefix
     * ({@code https} first, then {@code http} if allowed): tests point it at a loopback server's port,
     * which an appc name cannot carry.
     */
    public Discovery(HttpDownloader http, BiFunction<String, String, URI> discoveryUrl) {
        this.http = http;
        this.discoveryUrl = discoveryUrl;
    }

    /** One {@code <meta name=... content="prefix value">} of a discovery page. */
    public record Meta(String prefix, String value) {
        /** Whether it applies to {@code name} (its prefix-match is a prefix of the name). */
        public boolean matches(String name) {
            return name.startsWith(prefix);
        }
    }

    /** The tags of one discovery page. */
    public record Page(List<Meta> templates, List<Meta> pubkeys) {
        /** Reads the {@code ac-discovery} and {@code ac-discovery-pubkeys} meta tags of an HTML page. */
        public static Page parse(String html) {
            List<Meta> templates = new ArrayList<>();
            List<Meta> keys = new ArrayList<>();
            Matcher tag = META.matcher(html);
            while (tag.find()) {
                Map<String, String> attributes = new LinkedHashMap<>();
                Matcher a = ATTRIBUTE.matcher(tag.group(1));
                while (a.find()) {
                    String v = a.group(2) != null ? a.group(2) : a.group(3) != null ? a.group(3) : a.group(4);
                    attributes.putIfAbsent(a.group(1).toLowerCase(Locale.ROOT), v);
                }
                String[] content = attributes.getOrDefault("content", "").trim().split("\\s+");
                if (content.length != 2) {
                    continue;
                }
                String kind = attributes.getOrDefault("name", "");
                if (kind.equals("ac-discovery")) {
                    templates.add(new Meta(content[0], content[1]));
                } else if (kind.equals("ac-discovery-pubkeys")) {
                    keys.add(new Meta(content[0], content[1]));
                }
            }
            return new Page(List.copyOf(templates), List.copyOf(keys));
        }
    }

    /**
     * One place an image may be fetched from.
     *
     * @param template     the {@code ac-discovery} template
     * @param imageUrl     the template rendered with {@code ext=aci}
     * @param signatureUrl the template rendered with {@code ext=aci.asc}
     */
    public record Endpoint(String template, URI imageUrl, URI signatureUrl) {}

    /**
     * The variables a template of {@code name} with {@code labels} may use: every label, {@code name},
     * and {@code version}, {@code os} and {@code arch} defaulted (latest, this host's).
     */
    public static Map<String, String> variables(String name, Map<String, String> labels) {
        Map<String, String> vars = new LinkedHashMap<>(labels);
        vars.put("name", name);
        vars.putIfAbsent("version", DEFAULT_VERSION);
        vars.putIfAbsent("os", "linux");
        vars.putIfAbsent("arch", hostArch());
        return vars;
    }

    /** This host's architecture as appc names it ({@code amd64}, {@code arm64}, ...). */
    public static String hostArch() {
        String arch = System.getProperty("os.arch", "amd64");
        return switch (arch) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "i386";
            default -> arch;
        };
    }

    /** {@code template} with every {@code {var}} replaced, or empty when it names a variable not in {@code vars}. */
    public static Optional<String> render(String template, Map<String, String> vars) {
        Matcher m = VARIABLE.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = vars.get(m.group(1));
            if (value == null) {
                return Optional.empty();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return Optional.of(out.toString());
    }

    /**
     * The endpoints of {@code page} for {@code name}: its templates whose prefix matches and whose
     * variables are all known, HTTPS ones first; plain-HTTP ones only when {@code allowHttp}.
     */
    public static List<Endpoint> endpoints(Page page, String name, Map<String, String> labels, boolean allowHttp) {
        Map<String, String> vars = variables(name, labels);
        List<Endpoint> https = new ArrayList<>();
        List<Endpoint> http = new ArrayList<>();
        for (Meta meta : page.templates()) {
            if (!meta.matches(name)) {
                continue;
            }
            Map<String, String> aci = new LinkedHashMap<>(vars);
            aci.put("ext", "aci");
            Map<String, String> asc = new LinkedHashMap<>(vars);
            asc.put("ext", "aci.asc");
            Optional<String> image = render(meta.value(), aci);
            Optional<String> signature = render(meta.value(), asc);
            if (image.isEmpty() || signature.isEmpty()) {
                continue;
            }
            URI imageUrl;
            URI signatureUrl;
            try {
                imageUrl = URI.create(image.get());
                signatureUrl = URI.create(signature.get());
            } catch (IllegalArgumentException e) {
                continue;
            }
            String scheme = String.valueOf(imageUrl.getScheme()).toLowerCase(Locale.ROOT);
            if (scheme.equals("https")) {
                https.add(new Endpoint(meta.value(), imageUrl, signatureUrl));
            } else if (scheme.equals("http") && allowHttp) {
                http.add(new Endpoint(meta.value(), imageUrl, signatureUrl));
            }
        }
        https.addAll(http);
        return https;
    }

    /** {@code example.com/a/b} → {@code [example.com/a/b, example.com/a, example.com]}. */
    public static List<String> walkUp(String name) {
        List<String> prefixes = new ArrayList<>();
        String p = name;
        while (true) {
            prefixes.add(p);
            int slash = p.lastIndexOf('/');
            if (slash <= 0) {
                return prefixes;
            }
            p = p.substring(0, slash);
        }
    }

    /** What a walk up found: the page that had tags for the name, where, and what was tried before. */
    private record Found(Page page, URI where) {}

    /**
     * The endpoints of {@code name} with {@code labels}: the first page up the name's path with
     * usable templates gives them.
     *
     * @throws FetchException naming the name, the URLs tried and what to do, when no page has any
     */
    public List<Endpoint> endpoints(String name, Map<String, String> labels, boolean allowHttp, boolean insecureTls)
            throws FetchException {
        List<String> tried = new ArrayList<>();
        for (String prefix : walkUp(name)) {
            for (URI url : discoveryUrls(prefix, allowHttp)) {
                Optional<Page> page = page(url, insecureTls, tried);
                if (page.isPresent()) {
                    List<Endpoint> found = endpoints(page.get(), name, labels, allowHttp);
                    if (!found.isEmpty()) {
                        return found;
                    }
                    tried.add(url + " (no usable ac-discovery template for " + name + ")");
                }
            }
        }
        throw notDiscovered(name, "image", tried, allowHttp);
    }

    /**
     * {@link #pubkeys(String, boolean, boolean)} over HTTPS with the JVM's trust store. For
     * {@code rkj trust --prefix P}: {@code try (HttpDownloader http = new HttpDownloader()) { new
     * Discovery(http).pubkeys(P) }}, then download each key with {@link HttpDownloader#get}.
     */
    public List<URI> pubkeys(String name) throws FetchException {
        return pubkeys(name, false, false);
    }

    /**
     * The public key URLs that discovery gives for {@code name} ({@code ac-discovery-pubkeys}), for
     * {@code rkj trust --prefix NAME} without a key file.
     *
     * @throws FetchException when no page up the name's path has any
     */
    public List<URI> pubkeys(String name, boolean allowHttp, boolean insecureTls) throws FetchException {
        List<String> tried = new ArrayList<>();
        for (String prefix : walkUp(name)) {
            for (URI url : discoveryUrls(prefix, allowHttp)) {
                Optional<Page> page = page(url, insecureTls, tried);
                if (page.isPresent()) {
                    List<URI> keys = new ArrayList<>();
                    for (Meta meta : page.get().pubkeys()) {
                        if (meta.matches(name)) {
                            try {
                                URI key = URI.create(meta.value());
                                if ("https".equalsIgnoreCase(key.getScheme()) || allowHttp && "http".equalsIgnoreCase(key.getScheme())) {
                                    keys.add(key);
                                }
                            } catch (IllegalArgumentException e) {
                                // not a URL: skipped like a template with an unknown variable
                            }
                        }
                    }
                    if (!keys.isEmpty()) {
                        return keys;
                    }
                    tried.add(url + " (no ac-discovery-pubkeys for " + name + ")");
                }
            }
        }
        throw notDiscovered(name, "public keys", tried, allowHttp);
    }

    private List<URI> discoveryUrls(String prefix, boolean allowHttp) {
        List<URI> urls = new ArrayList<>();
        urls.add(discoveryUrl.apply("https", prefix));
        if (allowHttp) {
            urls.add(discoveryUrl.apply("http", prefix));
        }
        return urls;
    }

    private Optional<Page> page(URI url, boolean insecureTls, List<String> tried) throws FetchException {
        HttpDownloader.Page got;
        try {
            got = http.get(url, insecureTls);
        } catch (FetchException e) {
            if (e.getMessage().contains("--insecure-options=tls")) {
                throw e; // a TLS failure is not a missing page: say so rather than walk on
            }
            tried.add(url + " (" + e.getMessage().replaceFirst("^cannot fetch \\S+: ", "") + ")");
            return Optional.empty();
        }
        if (got.status() / 100 != 2) {
            tried.add(url + " (HTTP " + got.status() + ")");
            return Optional.empty();
        }
        return Optional.of(Page.parse(got.body()));
    }

    private static FetchException notDiscovered(String name, String what, List<String> tried, boolean allowHttp) {
        return new FetchException("cannot discover the " + what + " of " + name + ": tried " + String.join(", ", tried)
                + (allowHttp ? "" : "; if its server speaks plain HTTP only, pass --insecure-options=http")
                + "; or give the image's URL or file instead");
    }
}
