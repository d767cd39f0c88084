package dev.rkj.api.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rkj.engine.trust.TrustException;
import dev.rkj.engine.trust.TrustStore;
import dev.rkj.engine.trust.TrustedKey;
import dev.rkj.eventlog.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.bouncycastle.openpgp.api.OpenPGPCertificate;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code rkj trust [--prefix P | --root] [KEYFILE]}: trusts an OpenPGP key to sign images whose
 * name is P or below it (or every image), after showing its fingerprint and user ids and asking;
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

    @Parameters(arity = "0..1", paramLabel = "KEYFILE", description = "the armored public key (gpg --armor --export KEYID)")
    String keyFile;

    @Override
    public Integer call() throws Exception {
        if (scope == null) {
            throw new CliException("rkj trust needs --prefix PREFIX (images named PREFIX or below it) or --root (every"
                    + " image)");
        }
        if (keyFile == null) {
            return keyFromDiscovery();
        }
        if (keyFile.contains("://")) {
            throw new CliException("cannot trust " + keyFile + ": keys are read from local files so far; download it and"
                    + " give the file");
        }
        Path file = root.invocation().path(keyFile);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CliException("key file " + keyFile + " does not exist: give an armored public key file");
        } catch (IOException e) {
            throw new CliException("cannot read key file " + keyFile + " (" + e.getMessage() + "): check its permissions");
        }
        OpenPGPCertificate cert = TrustStore.read(bytes, keyFile);
        String prefix = scope.root ? null : scope.prefix;
        PrintStream out = root.out();
        if (!skipReview) {
            review(cert, prefix);
        }
        TrustedKey trusted = root.trustStore().add(cert, prefix);
        out.println("Trusted key " + trusted.fingerprint() + " for " + (trusted.root() ? "every image (root key)"
                : "images named " + trusted.prefix() + " or below it"));
        return ExitCodes.OK;
    }

    /**
     * {@code --prefix P} without a key file: the keys appc discovery of P names
     * ({@code ac-discovery-pubkeys}), which this build cannot fetch yet. The one call site for it.
     */
    private Integer keyFromDiscovery() {
        String prefix = scope.root ? null : scope.prefix;
        return KeyDiscovery.NONE.keysFor(prefix).orElseThrow(() -> new CliException("no key file given and discovery"
                + " of keys (ac-discovery-pubkeys) is not available in this build: give the key file, rkj trust "
                + (prefix == null ? "--root" : "--prefix " + prefix) + " KEYFILE"));
    }

    /** Finds the keys a prefix's appc discovery names: the seam for {@code ac-discovery-pubkeys}. */
    interface KeyDiscovery {
        /** No discovery: nothing is ever found. */
        KeyDiscovery NONE = prefix -> java.util.Optional.empty();

        /** Trusts the keys found for {@code prefix} and returns the exit code, or empty when none can be found. */
        java.util.Optional<Integer> keysFor(String prefix);
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
