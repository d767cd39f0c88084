package dev.rkj.api.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rkj.engine.Durations;
import dev.rkj.engine.appc.LabelMatch;
import dev.rkj.engine.host.ImageCollector;
import dev.rkj.engine.image.AciBuildException;
import dev.rkj.engine.image.AciWriter;
import dev.rkj.engine.image.Compression;
import dev.rkj.engine.image.LeftOut;
import dev.rkj.engine.image.UnpackOptions;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.read.AsOf;
import dev.rkj.engine.store.AppcManifestValidator;
import dev.rkj.engine.store.GcResult;
import dev.rkj.engine.store.ImageRecord;
import dev.rkj.engine.store.ImageReference;
import dev.rkj.engine.store.ImageRenderer;
import dev.rkj.engine.store.ImageStore;
import dev.rkj.engine.store.ImageStoreException;
import dev.rkj.eventlog.JournalException;
import dev.rkj.eventlog.Json;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code rkj image ...}: the image store, with rkt's subcommands and flags. */
@Command(name = "image", mixinStandardHelpOptions = true,
        description = "Operate on the images in the local store.",
        subcommands = {
            ImageCommand.ListImages.class,
            ImageCommand.Remove.class,
            ImageCommand.CatManifest.class,
            ImageCommand.Extract.class,
            ImageCommand.Render.class,
            ImageCommand.Export.class,
            ImageCommand.Gc.class,
            ImageCommand.Build.class,
            ImageCommand.Verify.class,
        })
final class ImageCommand implements Runnable {
    @ParentCommand
    RkjCommand root;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "missing subcommand: list, rm, cat-manifest, extract, render, export, gc, build or verify");
    }

    /** The store, for a subcommand that writes to it (rm, gc): the data directory must be writable. */
    ImageStore store() throws Exception {
        return root.context().imageStore();
    }

    /**
     * The store, for a subcommand that only reads it: opened read-only (nothing created, locked or
     * written), so it works on a read-only data directory; the writable store if already opened.
     */
    ImageStore readStore() throws Exception {
        return root.readContext().readImageStore();
    }

    /**
     * The image a user means: an ID or ID prefix, or a name with labels ({@code example.com/app:1.0.0});
     * a name gets this host's os and arch where it gives none, as rkt did.
     */
    ImageRecord find(String reference) throws Exception {
        ImageReference parsed;
        try {
            parsed = ImageReference.parse(reference);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), e);
        }
        if (parsed instanceof ImageReference.ByName byName) {
            return readStore().index().byName(byName.name(), LabelMatch.withHostDefaults(byName.labels()));
        }
        return readStore().index().resolve(parsed);
    }

    /** {@code rkj image list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the images in the store.")
    static final class ListImages implements Callable<Integer> {
        private static final DateTimeFormatter FULL_TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(ZoneOffset.UTC);

        @ParentCommand
        ImageCommand parent;

        @Option(names = "--no-legend", description = "leave out the header line")
        boolean noLegend;

        @Option(names = "--full", description = "full image IDs, sizes in bytes, absolute import times, the device"
                + " nodes under /dev left out of the image's tree (the pod mounts its own /dev), and where it came from"
                + " (a file, a URL, or the name discovery resolved to one)")
        boolean full;

        @Option(names = "--format", paramLabel = "FORMAT", description = OutputFormat.DESCRIPTION)
        OutputFormat format = OutputFormat.table;

        @Override
        public Integer call() throws Exception {
            List<ImageRecord> images = parent.readStore().list();
            PrintStream out = parent.root.out();
            switch (format) {
                case json -> out.println(json(images));
                case table -> table(images, out, Instant.now());
            }
            return ExitCodes.OK;
        }

        private void table(List<ImageRecord> images, PrintStream out, Instant now) {
            List<String[]> rows = new ArrayList<>();
            if (!noLegend) {
                rows.add(full ? new String[] {"ID", "NAME", "SIZE", "IMPORT TIME", "LEFT OUT", "SOURCE"}
                        : new String[] {"ID", "NAME", "SIZE", "IMPORT TIME"});
            }
            for (ImageRecord image : images) {
                String[] row = {
                    full ? image.id().toString() : "sha512-" + image.id().hex().substring(0, 12),
                    image.displayName(),
                    full ? Long.toString(image.blobSize()) : bytes(image.blobSize()),
                    Table.time(image.importTime(), full, now),
                };
                rows.add(full ? append(append(row, leftOut(image.leftOut())), source(image)) : row);
            }
            Table.print(rows, out);
        }

        /** Where the image came from: its file or URL, and for a discovered one the name it was found as. */
        private static String source(ImageRecord image) {
            String discovered = image.origin().map(o -> o.discoveredAs()).map(n -> " (discovered as " + n + ")").orElse("");
            return TerminalText.escape(image.source() + discovered);
        }

        /** The device nodes under /dev the image's trees leave out, comma-separated, or "-". */
        private static String leftOut(LeftOut leftOut) {
            if (leftOut.isEmpty()) {
                return "-";
            }
            int more = leftOut.count() - leftOut.paths().size();
            return TerminalText.escape(String.join(",", leftOut.paths()) + (more > 0 ? ",+" + more + "-more" : ""));
        }

        private static String[] append(String[] row, String cell) {
            String[] longer = java.util.Arrays.copyOf(row, row.length + 1);
            longer[row.length] = cell;
            return longer;
        }

        private static String json(List<ImageRecord> images) throws JsonProcessingException {
            ArrayNode list = Json.mapper().createArrayNode();
            for (ImageRecord image : images) {
                list.add(dev.rkj.api.http.JsonViews.image(image));
            }
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(list);
        }

        /** Like rkt (go-humanize IBytes): 1023B, 1.5KiB, 12MiB. */
        static String bytes(long n) {
            if (n < 1024) {
                return n + "B";
            }
            String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
            double value = n;
            int unit = -1;
            while (value >= 1024 && unit < units.length - 1) {
                value /= 1024;
                unit++;
            }
            return (value < 10 ? String.format("%.1f", value) : String.format("%.0f", value)) + units[unit];
        }

        /** Like rkt (go-humanize Time): "now", "5 seconds ago", "3 minutes ago", "2 days ago". */
    }

    /** {@code rkj image rm ID...}. */
    @Command(name = "rm", mixinStandardHelpOptions = true,
            description = "Remove images (by image ID, ID prefix or name) from the store, with their rendered trees.")
    static final class Remove implements Callable<Integer> {
        @ParentCommand
        ImageCommand parent;

        @Parameters(arity = "1..*", paramLabel = "IMAGE",
                description = "image IDs, ID prefixes (sha512-4f2a...) or names (example.com/app:1.0.0)")
        List<String> ids;

        @Override
        public Integer call() throws Exception {
            ImageStore store = parent.store();
            List<String> failures = new ArrayList<>();
            for (String id : ids) {
                try {
                    ImageRecord image = parent.find(id);
                    store.remove(image.id(), parent.root.invocation().grantor("image rm"));
                    parent.root.out().println("successfully removed aci for image: " + image.id());
                } catch (ImageStoreException | CliException e) {
                    failures.add(id + ": " + e.getMessage());
                }
            }
            if (!failures.isEmpty()) {
                throw new CliException(failures.size() + " of " + ids.size() + " image(s) not removed: "
                        + String.join("; ", failures));
            }
            return ExitCodes.OK;
        }
    }

    /** A subcommand on the one image its first parameter names: subclasses say only what to do with it. */
    abstract static class OnImage implements Callable<Integer> {
        @ParentCommand
        ImageCommand parent;

        @Parameters(index = "0", paramLabel = "IMAGE", description = "image ID, ID prefix or name[:version]")
        String image;

        @Override
        public final Integer call() throws Exception {
            apply(parent.find(image));
            return ExitCodes.OK;
        }

        abstract void apply(ImageRecord record) throws Exception;
    }

    /** {@code rkj image verify IMAGE}: checks the signature kept with a stored image against the trusted keys. */
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check a stored image's signature against the trusted keys (rkj trust list).")
    static final class Verify extends OnImage {
        @Override
        void apply(ImageRecord record) throws Exception {
            dev.rkj.engine.trust.Signer signer = parent.readStore().verify(record.id(), parent.root.trustStore());
            parent.root.out().println(TerminalText.escape(record.displayName()) + " (" + record.id().shortString() + "): "
                    + signer.describe());
        }
    }

    /** An {@link OnImage} that writes the image into a new directory, its second parameter. */
    abstract static class IntoDirectory extends OnImage {
        @Parameters(index = "1", paramLabel = "DIR", description = "directory to create")
        Path dir;

        @Option(names = "--overwrite", description = "replace DIR if it exists")
        boolean overwrite;
    }

    /** {@code rkj image cat-manifest ID}. */
    @Command(name = "cat-manifest", mixinStandardHelpOptions = true, description = "Print an image's manifest.")
    static final class CatManifest extends OnImage {
        @Option(names = "--pretty-print", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "indent the JSON (default; --no-pretty-print prints it as stored)")
        boolean pretty;

        @Override
        void apply(ImageRecord record) throws Exception {
            String json = pretty
                    ? Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(
                            Json.mapper().readTree(record.manifestJson()))
                    : record.manifestJson().strip();
            parent.root.out().println(json);
        }
    }

    /** {@code rkj image extract ID DIR}: the image's own files, without its dependencies. */
    @Command(name = "extract", mixinStandardHelpOptions = true,
            description = "Extract an image (its manifest and rootfs, without dependencies) into a directory.")
    static final class Extract extends IntoDirectory {
        @Option(names = "--rootfs-only", description = "extract only the rootfs's contents into DIR")
        boolean rootfsOnly;

        @Override
        void apply(ImageRecord record) throws Exception {
            parent.readStore().extractTo(record.id(), dir, rootfsOnly, overwrite, UnpackOptions.defaults());
        }
    }

    /** {@code rkj image render ID DIR}: the tree a pod would see, dependencies included. */
    @Command(name = "render", mixinStandardHelpOptions = true,
            description = "Render an image with its dependencies (as a pod sees it) and copy it into a directory.")
    static final class Render extends IntoDirectory {
        @Option(names = "--rootfs-only", description = "copy only the rootfs's contents into DIR")
        boolean rootfsOnly;

        @Override
        void apply(ImageRecord record) throws Exception {
            // a rendered tree is copied out read-only; rendering one writes it into the store first,
            // which needs a writable data directory
            ImageStore store = record.treeId().isPresent() ? parent.readStore() : parent.store();
            new ImageRenderer(store).renderTo(record.id(), dir, rootfsOnly, overwrite);
        }
    }

    /** {@code rkj image export ID FILE.aci}. */
    @Command(name = "export", mixinStandardHelpOptions = true, description = "Write an image's ACI, as stored, to a file.")
    static final class Export extends OnImage {
        @Parameters(index = "1", paramLabel = "FILE", description = "the .aci file to write")
        Path file;

        @Option(names = "--overwrite", description = "replace FILE if it exists")
        boolean overwrite;

        @Override
        void apply(ImageRecord record) throws Exception {
            parent.readStore().export(record.id(), file, overwrite);
        }
    }

    /**
     * {@code rkj image gc [--grace-period=24h]}: rkt's. Removes the images no pod needs that were
     * not fetched or used within the grace period (the rule is {@link ImageCollector}'s), then the
     * trees and blobs of removed images and leftovers of interrupted work.
     */
    @Command(name = "gc", mixinStandardHelpOptions = true,
            description = {"Remove images no pod uses (prepared, running or exited and not yet removed) that were not"
                + " fetched or used within the grace period, then files of removed images and leftovers of"
                + " interrupted work. An image another kept image depends on is kept."},
            footer = {"", "Examples:",
                "  rkj image gc                     # images unused for 24h (rkt's default)",
                "  rkj image gc --grace-period=0s   # every image no pod uses"})
    static final class Gc implements Callable<Integer> {
        @ParentCommand
        ImageCommand parent;

        @Option(names = "--grace-period", paramLabel = "DURATION", defaultValue = "24h",
                description = "keep images fetched or used by a pod less than this long ago (default ${DEFAULT-VALUE};"
                        + " e.g. 0s, 90m, 48h)")
        String gracePeriod;

        @Override
        public Integer call() throws Exception {
            Duration grace;
            try {
                grace = Durations.parse(gracePeriod);
            } catch (IllegalArgumentException e) {
                throw new CliException("--grace-period: " + e.getMessage());
            }
            var store = parent.store(); // a writer first: it repairs a torn journal before the read
            List<PodState> pods;
            try {
                pods = parent.root.context().reader().read(AsOf.latest()).projection().all();
            } catch (JournalException e) {
                throw new CliException(e.getMessage(), e);
            }
            ImageCollector.Report report = new ImageCollector(store, Clock.systemUTC()).collect(pods, grace);
            PrintStream out = parent.root.out();
            report.removed().forEach((image, why) -> out.println("successfully removed aci for image: " + image.id()
                    + " (" + image.displayName() + "; " + why + ")"));
            GcResult result = report.leftovers();
            result.trees().forEach(id -> out.println("removed tree of image " + id));
            result.blobs().forEach(id -> out.println("removed blob of image " + id));
            result.temps().forEach(path -> out.println("removed leftover " + path));
            report.failed().forEach((id, why) -> parent.root.err().println("rkj: could not remove image " + id + ": " + why));
            if (report.removed().isEmpty() && report.failed().isEmpty() && result.isEmpty()) {
                out.println("nothing to remove");
            }
            if (!report.failed().isEmpty()) {
                throw new CliException(report.failed().size() + " image(s) not removed; see above, then run rkj image gc again");
            }
            return ExitCodes.OK;
        }
    }

    /** {@code rkj image build DIR OUT.aci}: an ACI from an image directory (rkt left this to actool). */
    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "Build an ACI from a directory holding manifest and rootfs/; print its image ID.")
    static final class Build implements Callable<Integer> {
        @ParentCommand
        ImageCommand parent;

        @Parameters(index = "0", paramLabel = "DIR", description = "image directory: manifest and rootfs/")
        Path dir;

        @Parameters(index = "1", paramLabel = "OUT", description = "the .aci file to write")
        Path out;

        @Option(names = "--compression", paramLabel = "C", description = "gzip (default), bzip2, xz or none")
        String compression = "gzip";

        @Option(names = "--overwrite", description = "replace OUT if it exists")
        boolean overwrite;

        @Override
        public Integer call() throws Exception {
            Compression chosen = Compression.fromWireName(compression).orElseThrow(() ->
                    new CliException("unknown --compression '" + compression + "': use gzip, bzip2, xz or none"));
            if (!overwrite && Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
                throw new CliException(out.toAbsolutePath() + " already exists: pass --overwrite to replace it");
            }
            try {
                String id = new AciWriter(new AppcManifestValidator()).write(dir, out, chosen);
                parent.root.out().println(id);
            } catch (AciBuildException e) {
                throw new CliException("cannot build " + out + ": " + e.getMessage(), e);
            }
            return ExitCodes.OK;
        }
    }
}
