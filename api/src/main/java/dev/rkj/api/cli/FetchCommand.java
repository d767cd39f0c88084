package dev.rkj.api.cli;

import dev.rkj.engine.store.ImageRecord;
import dev.rkj.engine.store.ImageStore;
import dev.rkj.engine.store.SignaturePolicy;
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
 * {@code rkj fetch FILE.aci...}: stores images and prints their IDs, one a line, as rkt does.
 * Local files only for now. Each image's detached signature ({@code FILE.aci.asc}) must be a
 * trusted key's ({@code rkj trust}), checked before anything is stored, unless
 * {@code --insecure-options=image} says to skip the check (which is recorded, with who asked).
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

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "ACI files to fetch")
    List<String> images;

    @Option(names = "--insecure-options", split = ",", paramLabel = "OPTS",
            description = "comma-separated security checks to skip: image (signature verification), ..., all")
    Set<String> insecure = new TreeSet<>();

    @Override
    public Integer call() throws Exception {
        Set<String> skipped = new TreeSet<>();
        for (String option : insecure) {
            String lower = option.toLowerCase(Locale.ROOT).strip();
            if (!INSECURE_OPTIONS.contains(lower)) {
                throw new CliException("unknown --insecure-options value '" + option + "': use "
                        + String.join(", ", new TreeSet<>(INSECURE_OPTIONS)));
            }
            skipped.add(lower);
        }
        boolean skipVerify = skipped.contains("image") || skipped.contains("all-fetch") || skipped.contains("all");
        for (String image : images) {
            if (image.contains("://")) {
                throw new CliException("cannot fetch " + image + ": only local ACI files can be fetched so far;"
                        + " download it and fetch the file");
            }
        }
        ImageStore store = root.context().imageStore();
        SignaturePolicy policy = SignaturePolicy.of(skipVerify, root.trustStore());
        for (String image : images) {
            ImageRecord stored = store.fetch(root.invocation().path(image), root.invocation().grantor("fetch"), policy);
            root.out().println(stored.id());
            if (!stored.leftOut().isEmpty()) {
                root.err().println("rkj: note: " + TerminalText.escape(stored.displayName()) + " (" + stored.id().shortString()
                        + "): left " + TerminalText.escape(stored.leftOut().describe()) + " out of its tree: the pod"
                        + " mounts its own /dev there");
            }
        }
        return ExitCodes.OK;
    }
}
