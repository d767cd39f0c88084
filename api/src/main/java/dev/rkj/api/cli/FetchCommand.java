package dev.rkj.api.cli;

import dev.rkj.engine.fetch.PullPolicy;
import dev.rkj.engine.fetch.RemoteImages;
import dev.rkj.engine.store.ImageRecord;
import dev.rkj.engine.store.ImageStore;
import dev.rkj.engine.store.SignaturePolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code rkj fetch FILE.aci|URL|NAME...}: stores images and prints their IDs, one a line, as rkt
 * does: a local file, an {@code http(s)://} URL, or an appc name found by discovery
 * ({@code example.com/app:1.0}), per {@code --pull-policy}. Each image's detached signature
 * ({@code FILE.aci.asc}, or the one served beside it) must be a trusted key's ({@code rkj trust}),
 * checked before anything is stored, unless {@code --insecure-options=image} says to skip the check
 * (which is recorded, with who asked).
 */
@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = {"Fetch image(s) into the store and print their image IDs.",
            "Device nodes and FIFOs are refused, except under /dev: those are left out of the image's tree (the pod"
                + " mounts its own /dev), with a note on stderr."})
final class FetchCommand implements Callable<Integer> {
    /** rkt's --insecure-options values. */
    static final Set<String> INSECURE_OPTIONS = Set.of("none", "image", "tls", "ondisk", "http", "pubkey",
            "capabilities", "paths", "seccomp", "run-all", "all-fetch", "all-run", "all");

    @ParentCommand
    RkjCommand root;

    @Parameters(arity = "1..*", paramLabel = "IMAGE",
            description = "ACI files, https:// URLs, or image names (example.com/app:1.0) found by appc discovery")
    List<String> images;

    @Option(names = "--pull-policy", paramLabel = "POLICY", defaultValue = "new",
            description = "new: use the store when the name or URL is there (default); update: always ask the server"
                    + " (a conditional request); never: the store only")
    String pullPolicy;

    @Option(names = "--insecure-options", split = ",", paramLabel = "OPTS",
            description = "comma-separated security checks to skip: image (signature verification), ..., all")
    Set<String> insecure = new TreeSet<>();

    @Override
    public Integer call() throws Exception {
        Set<String> skipped = insecureOptions(insecure);
        boolean skipVerify = skipped.contains("image") || skipped.contains("all-fetch") || skipped.contains("all");
        PullPolicy policy;
        try {
            policy = PullPolicy.parse(pullPolicy);
        } catch (IllegalArgumentException e) {
            throw new CliException("--pull-policy: " + e.getMessage());
        }
        boolean allowHttp = allowsHttp(skipped);
        boolean insecureTls = allowsAnyTls(skipped);
        for (String image : images) {
            if (image.contains("://") && !RemoteImages.isUrl(image)) {
                throw new CliException("cannot fetch " + image + ": rkj fetches http:// and https:// URLs only;"
                        + " download it and fetch the file");
            }
        }
        ImageStore store = root.context().imageStore();
        SignaturePolicy signatures = SignaturePolicy.of(skipVerify, root.trustStore());
        try (RemoteFetch remote = new RemoteFetch(root)) {
            for (String image : images) {
                ImageRecord stored = RemoteFetch.remote(image)
                        ? remote.fetch(image, policy, allowHttp, insecureTls, root.invocation().grantor("fetch"), signatures)
                        : fetchFile(store, root.invocation().path(image), signatures);
                report(stored);
            }
        }
        return ExitCodes.OK;
    }

    /** A local file this large shows the progress a download shows. */
    static final long LARGE_FILE = 64L << 20;

    private ImageRecord fetchFile(ImageStore store, Path file, SignaturePolicy signatures)
            throws Exception {
        long size = Files.isRegularFile(file) ? Files.size(file) : -1;
        if (size < LARGE_FILE) {
            return store.fetch(file, root.invocation().grantor("fetch"), signatures);
        }
        ProgressLine line = ProgressLine.of(root);
        String subject = file.toString();
        boolean stored = false;
        try {
            ImageRecord image = store.fetch(file, root.invocation().grantor("fetch"), signatures, null,
                    bytes -> line.update(subject, bytes, size, false));
            stored = true;
            return image;
        } finally {
            line.update(subject, stored ? size : 0, size, true); // 0: a failure, whose error says the rest
        }
    }

    /** The {@code --insecure-options} words given, lower case; an unknown one is refused. */
    static Set<String> insecureOptions(Set<String> given) {
        Set<String> skipped = new TreeSet<>();
        for (String option : given) {
            String lower = option.toLowerCase(Locale.ROOT).strip();
            if (!INSECURE_OPTIONS.contains(lower)) {
                throw new CliException("unknown --insecure-options value '" + option + "': use "
                        + String.join(", ", new TreeSet<>(INSECURE_OPTIONS)));
            }
            skipped.add(lower);
        }
        return skipped;
    }

    /** Whether {@code skipped} allows plain HTTP downloads ({@code http}, {@code all-fetch}, {@code all}). */
    static boolean allowsHttp(Set<String> skipped) {
        return skipped.contains("http") || skipped.contains("all-fetch") || skipped.contains("all");
    }

    /** Whether {@code skipped} accepts any TLS certificate ({@code tls}, {@code all-fetch}, {@code all}). */
    static boolean allowsAnyTls(Set<String> skipped) {
        return skipped.contains("tls") || skipped.contains("all-fetch") || skipped.contains("all");
    }

    private void report(ImageRecord stored) {
        root.out().println(stored.id());
        if (!stored.leftOut().isEmpty()) {
            root.err().println("rkj: note: " + TerminalText.escape(stored.displayName()) + " (" + stored.id().shortString()
                    + "): left " + TerminalText.escape(stored.leftOut().describe()) + " out of its tree: the pod"
                    + " mounts its own /dev there");
        }
    }
}
