package dev.rkj.api.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rkj.engine.fetch.Discovery;
import dev.rkj.engine.fetch.FetchException;
import dev.rkj.engine.fetch.HttpDownloader;
import dev.rkj.engine.fetch.RemoteImages;
import dev.rkj.engine.trust.TrustException;
import dev.rkj.engine.trust.TrustStore;
import dev.rkj.engine.trust.TrustedKey;
import dev.rkj.eventlog.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.bouncycastle.openpgp.api.OpenPGPCertificate;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code rkj trust [--prefix P | --root] [KEYFILE|URL]}: trusts an OpenPGP key to sign images whose
 * name is P or below it (or every image), after showing its fingerprint and user ids and asking;
 * the key is a file, a URL, or (for {@code --prefix P} without either) the keys appc discovery of P
 * names ({@code ac-discovery-pubkeys});
 * {@code rkj trust list}, {@code rkj trust rm FINGERPRINT}. The keys live in the data directory's
 * {@code trust/} ({@link TrustStore}); the system configuration directory's are listed too.
 */
@Command(name = "trust", mixinStandardHelpOptions = true,
        description = {"Trust a key to sign images: with --prefix, images named PREFIX or below it; with --root, every image.",
            "Shows the key's fingerprint and user ids and asks first (--skip-fingerprint-review for automation)."},
        subcommands = {TrustCommand.ListKeys.class, TrustCommand.Remove.class})
final class TrustCommand implements Callable<Integer> {
    @ParentCommand
    RkjCommand root;

    static final class Scope {
        @Option(names = "--prefix", paramLabel = "PREFIX", description = "trust the key for images named PREFIX or below it")
        String prefix;

        @Option(names = "--root", description = "trust the key for every image")
        boolean root;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Scope scope;

    @Option(names = "--skip-fingerprint-review", description = "trust without showing the key and asking (automation)")
    boolean skipReview;

    @Option(names = "--insecure-options", split = ",", paramLabel = "OPTS",
            description = "for keys downloaded: http (plain HTTP allowed), tls (any certificate accepted)")
    Set<String> insecure = new TreeSet<>();

    @Parameters(arity = "0..1", paramLabel = "KEYFILE|URL",
            description = {"the armored public key (gpg --armor --export KEYID), as a file or an https:// URL;",
                "without it, --prefix PREFIX finds the keys by appc discovery of PREFIX (ac-discovery-pubkeys)"})
    String keyFile;

    @Override
    public Integer call() throws Exception {
        if (scope == null) {
            throw new CliException("rkj trust needs --prefix PREFIX (images named PREFIX or below it) or --root (every"
                    + " image)");
        }
        Set<String> skipped = FetchCommand.insecureOptions(insecure);
        String prefix = scope.root ? null : scope.prefix;
        if (keyFile == null && prefix == null) {
            throw new CliException("rkj trust --root needs the key: give its file or https:// URL (discovery finds keys"
                    + " for a --prefix only)");
        }
        if (keyFile != null && !keyFile.contains("://")) {
            trust(TrustStore.read(readFile(keyFile), keyFile), prefix);
            return ExitCodes.OK;
        }
        boolean allowHttp = FetchCommand.allowsHttp(skipped);
        boolean insecureTls = FetchCommand.allowsAnyTls(skipped);
        try (HttpDownloader http = new HttpDownloader()) {
            List<URI> urls = keyFile != null ? List.of(keyUrl(keyFile, allowHttp))
                    : new Discovery(http, root.discoveryPages).pubkeys(prefix, allowHttp, insecureTls);
            List<OpenPGPCertificate> keys = new ArrayList<>();
            for (URI url : urls) { // every key read before any is trusted: a bad one trusts none
                keys.add(TrustStore.read(download(http, url, insecureTls), url.toString()));
            }
            for (int i = 0; i < keys.size(); i++) {
                if (!skipReview) {
                    root.out().println("Key from " + TerminalText.escape(urls.get(i).toString()));
                }
                trust(keys.get(i), prefix);
            }
        } catch (FetchException e) {
            throw new CliException(e.getMessage(), e);
        }
        return ExitCodes.OK;
    }

    private byte[] readFile(String name) {
        try {
            return Files.readAllBytes(root.invocation().path(name));
        } catch (NoSuchFileException e) {
            throw new CliException("key file " + name + " does not exist: give an armored public key file");
        } catch (IOException e) {
            throw new CliException("cannot read key file " + name + " (" + e.getMessage() + "): check its permissions");
        }
    }

    private static URI keyUrl(String text, boolean allowHttp) {
        URI url;
        try {
            url = new URI(text);
        } catch (java.net.URISyntaxException e) {
            throw new CliException("cannot trust " + text + ": not a URL (" + e.getReason() + ")");
        }
        if (!RemoteImages.isUrl(text) || url.getHost() == null) {
            throw new CliException("cannot trust " + text + ": keys are downloaded from https:// URLs only (http:// with"
                    + " --insecure-options=http); download it and give the file");
        }
        if ("http".equalsIgnoreCase(url.getScheme()) && !allowHttp) {
            throw new CliException("cannot download key " + text + ": plain HTTP is refused (anyone on the way can"
                    + " change the key): use https://, or pass --insecure-options=http");
        }
        return url;
    }

    private static byte[] download(HttpDownloader http, URI url, boolean insecureTls) throws FetchException {
        HttpDownloader.Page page = http.get(url, insecureTls);
        if (page.status() / 100 != 2) {
            throw new CliException("cannot download key " + url + ": the server answered HTTP " + page.status()
                    + ": check the URL, or give the key's file");
        }
        return page.body().getBytes(StandardCharsets.UTF_8);
    }

    /** Shows {@code cert} and asks (unless {@code --skip-fingerprint-review}), then trusts it for {@code prefix} (null: root). */
    private void trust(OpenPGPCertificate cert, String prefix) throws TrustException {
        if (!skipReview) {
            review(cert, prefix);
        }
        TrustedKey trusted = root.trustStore().add(cert, prefix);
        root.out().println("Trusted key " + trusted.fingerprint() + " for " + (trusted.root() ? "every image (root key)"
                : "images named " + trusted.prefix() + " or below it"));
    }

    private void review(OpenPGPCertificate cert, String prefix) {
        PrintStream out = root.out();
        if (root.invocation().remote() || System.console() == null) {
            throw new CliException("rkj trust shows the key's fingerprint and asks before trusting it, and there is no"
                    + " terminal to ask on: check the fingerprint " + TrustStore.fingerprint(cert) + " with its owner,"
                    + " then run again with --skip-fingerprint-review");
        }
        out.println("Key fingerprint: " + TrustStore.fingerprint(cert));
        for (String id : TrustStore.userIds(cert)) {
            out.println("  user id: " + TerminalText.escape(id));
        }
        out.print("Trust this key to sign " + (prefix == null ? "every image" : "images named " + prefix + " or below it")
                + "? [y/N] ");
        out.flush();
        String answer;
        try {
            answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            answer = null;
        }
        if (answer == null || !List.of("y", "yes").contains(answer.strip().toLowerCase(Locale.ROOT))) {
            throw new CliException("key " + TrustStore.fingerprint(cert) + " was not trusted: the answer was not yes");
        }
    }

    /** {@code rkj trust list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the trusted keys.")
    static final class ListKeys implements Callable<Integer> {
        @ParentCommand
        TrustCommand parent;

        @Option(names = "--no-legend", description = "leave out the header line")
        boolean noLegend;

        @Option(names = "--format", paramLabel = "FORMAT", description = OutputFormat.DESCRIPTION)
        OutputFormat format = OutputFormat.table;

        @Override
        public Integer call() throws Exception {
            List<TrustedKey> keys = parent.root.trustStore().list();
            PrintStream out = parent.root.out();
            switch (format) {
                case json -> {
                    ArrayNode list = Json.mapper().createArrayNode();
                    for (TrustedKey key : keys) {
                        ObjectNode node = list.addObject();
                        node.put("fingerprint", key.fingerprint());
                        node.put("prefix", key.prefix());
                        node.put("root", key.root());
                        node.put("system", key.system());
                        key.userIds().forEach(node.putArray("userIds")::add);
                    }
                    out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(list));
                }
                case table -> {
                    List<String[]> rows = new ArrayList<>();
                    if (!noLegend) {
                        rows.add(new String[] {"FINGERPRINT", "TRUSTED FOR", "FROM", "USER IDS"});
                    }
                    for (TrustedKey key : keys) {
                        rows.add(new String[] {key.fingerprint(), key.root() ? "(root)" : key.prefix(),
                            key.system() ? "system" : "local", TerminalText.escape(String.join("; ", key.userIds()))});
                    }
                    Table.print(rows, out);
                }
            }
            return ExitCodes.OK;
        }
    }

    /** {@code rkj trust rm FINGERPRINT}. */
    @Command(name = "rm", mixinStandardHelpOptions = true,
            description = "Stop trusting a key (every prefix it was trusted for in the data directory).")
    static final class Remove implements Callable<Integer> {
        @ParentCommand
        TrustCommand parent;

        @Parameters(arity = "1", paramLabel = "FINGERPRINT", description = "the key's fingerprint (at least 8 hex digits)")
        String fingerprint;

        @Override
        public Integer call() throws TrustException {
            for (TrustedKey key : parent.root.trustStore().remove(fingerprint)) {
                parent.root.out().println("Removed key " + key.fingerprint() + " (" + key.scope() + ")");
            }
            return ExitCodes.OK;
        }
    }
}
