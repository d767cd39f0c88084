package dev.rkj.engine.store;

import dev.rkj.engine.image.Trees;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.engine.appc.ImageId;
import dev.rkj.engine.appc.ImageManifest;
import dev.rkj.engine.appc.ManifestCodec;
import dev.rkj.engine.appc.ManifestException;
import dev.rkj.engine.appc.Problem;
import dev.rkj.engine.image.AciFormatException;
import dev.rkj.engine.image.AciInfo;
import dev.rkj.engine.image.AciReader;
import dev.rkj.engine.image.PathLimits;
import dev.rkj.engine.image.AciUnpacker;
import dev.rkj.engine.image.UnpackException;
import dev.rkj.engine.image.UnpackOptions;
import dev.rkj.engine.image.UnpackResult;
import dev.rkj.engine.store.ImageEvent.ImageRemoved;
import dev.rkj.engine.Grantor;
import dev.rkj.engine.store.ImageEvent.ImageStored;
import dev.rkj.engine.store.ImageEvent.SignatureCheck;
import dev.rkj.engine.trust.SignatureRefusedException;
import dev.rkj.engine.trust.SignatureVerifier;
import dev.rkj.engine.trust.Signer;
import dev.rkj.engine.trust.TrustStore;
import dev.rkj.engine.store.ImageEvent.TreeRemoved;
import dev.rkj.eventlog.Journal;
import dev.rkj.eventlog.JournalException;
import dev.rkj.eventlog.Json;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The content-addressed image store in {@code <data dir>/cas}:
 * <pre>
 * blobs/sha512-&lt;hex&gt;            each image's ACI as fetched (compressed as it came)
 * trees/sha512-&lt;hex&gt;/rootfs     rendered trees ({@link ImageRenderer}), read-only once there
 * trees/sha512-&lt;hex&gt;/manifest   the rendered image's manifest
 * signatures/sha512-&lt;hex&gt;.asc  each image's detached armored signature, as fetched beside it
 * locks/                       lock files: per image, and gc.lock
 * </pre>
 * A fetch with a {@link SignaturePolicy.Verify} policy checks the signature against the trusted
 * keys before anything of the image is kept: a refused image leaves no blob, signature or event.
 * What is stored is known from the journal ({@link ImageEvent}s, projected by {@link ImageIndex}),
 * not from the directory: a blob counts once {@code image.stored} is appended.
 *
 * <h2>Safety</h2>
 * Writes go to a temporary name beside their target and are renamed into place, so a crash
 * leaves whole files or temporaries that {@link #gc()} removes; "already there" is success.
 * Storing, rendering and removing one image take that image's lock (threads and processes),
 * so {@code image.stored} and {@code image.rendered} are appended once; they also hold the
 * store's gc lock shared, and {@link #gc()} takes it exclusively, so gc never deletes the
 * temporaries of work in progress.
 *
 * <p>Thread-safe; several processes may share one store.
 */
public final class ImageStore {
    /** The store's directory under the data directory. */
    public static final String DIRECTORY = "cas";
    private static final String TREES = "trees";
    private static final String SIGNATURES = "signatures";
    private static final String TEMP_SUFFIX = ".tmp";
    private static final String UNPACK_MARK = ".unpack-";

    private final Path directory;
    private final Path blobs;
    private final Path signatures;
    private final Path trees;
    private final Path locks;
    private final Journal journal;
    private final AciReader reader;
    private final ImageIndex index;
    private final FileMutex gcMutex;
    private final boolean readOnly;

    private ImageStore(Path directory, Journal journal, AciReader reader, ImageIndex index, boolean readOnly) {
        this.readOnly = readOnly;
        this.directory = directory;
        this.blobs = directory.resolve("blobs");
        this.signatures = directory.resolve(SIGNATURES);
        this.trees = directory.resolve(TREES);
        this.locks = directory.resolve("locks");
        this.journal = journal;
        this.reader = reader;
        this.index = index;
        this.gcMutex = FileMutex.of(locks.resolve("gc.lock"));
    }

    /** Opens (creating its directories) the store in {@code directory}, replaying {@code journal}'s image events. */
    public static ImageStore open(Path directory, Journal journal) throws ImageStoreException {
        return open(directory, journal, new AciReader());
    }

    /**
     * As {@link #open(Path, Journal)}, reading ACIs with {@code reader} (its limits).
     *
     * @throws IllegalArgumentException if the journal's registry lacks the image events
     */
    public static ImageStore open(Path directory, Journal journal, AciReader reader) throws ImageStoreException {
        return open(directory, journal, reader, new ImageIndex());
    }

    /**
     * As {@link #open(Path, Journal, AciReader)}, folding the journal's image events into
     * {@code start} (restored from a projection snapshot) from where it stands, not from the first event.
     */
    public static ImageStore open(Path directory, Journal journal, AciReader reader, ImageIndex start)
            throws ImageStoreException {
        for (Class<?> type : ImageEvent.class.getPermittedSubclasses()) {
            journal.registry().wireTypeOf(type);
        }
        Path absolute = directory.toAbsolutePath().normalize();
        try {
            for (String sub : List.of("blobs", "trees", "locks", SIGNATURES)) {
                Files.createDirectories(absolute.resolve(sub));
            }
        } catch (IOException e) {
            throw new ImageStoreException("cannot create the image store in " + absolute + ": " + e
                    + "; check that the data directory is writable", e);
        }
        try {
            start.catchUp(journal);
            return new ImageStore(absolute, journal, reader, start, false);
        } catch (JournalException e) {
            throw new ImageStoreException("cannot read the images from the journal: " + e.getMessage(), e);
        }
    }

    /**
     * Opens the store in {@code directory} for reading only, over a journal opened for reading:
     * listing, resolving, {@link #extractTo} and {@link #export} work, and rendering an image whose
     * tree is already rendered; nothing in the store is created, locked or written (a user who can
     * read but not write the data directory, or a read-only mount). Storing, removing, rendering a
     * new tree and gc fail with an {@link ImageStoreException} that says so.
     */
    public static ImageStore openReadOnly(Path directory, Journal journal) throws ImageStoreException {
        return openReadOnly(directory, journal, new ImageIndex());
    }

    /** As {@link #openReadOnly(Path, Journal)}, folding into {@code start} (see {@link #open(Path, Journal, AciReader, ImageIndex)}). */
    public static ImageStore openReadOnly(Path directory, Journal journal, ImageIndex start) throws ImageStoreException {
        for (Class<?> type : ImageEvent.class.getPermittedSubclasses()) {
            journal.registry().wireTypeOf(type);
        }
        Path absolute = directory.toAbsolutePath().normalize();
        try {
            start.catchUp(journal);
            return new ImageStore(absolute, journal, new AciReader(), start, true);
        } catch (JournalException e) {
            throw new ImageStoreException("cannot read the images from the journal: " + e.getMessage(), e);
        }
    }

    /** Whether this store was opened with {@link #openReadOnly}. */
    public boolean readOnly() {
        return readOnly;
    }

    /** Refuses a write to a store opened read-only, naming what was asked. */
    void checkWritable(String what) throws ImageStoreException {
        if (readOnly) {
            throw new ImageStoreException("cannot " + what + ": the image store in " + directory
                    + " was opened read-only (the data directory is not writable by this user)");
        }
    }

    /** The store's directory ({@code <data dir>/cas}). */
    public Path directory() {
        return directory;
    }

    /** Where the blob of {@code id} is (or would be). */
    public Path blobPath(ImageId id) {
        return blobs.resolve(id.toString());
    }

    /** Where the detached signature of {@code id} is kept (when it came with one). */
    public Path signaturePath(ImageId id) {
        return signatures.resolve(id + ".asc");
    }

    /** Where the rendered tree of {@code id} is (or would be): it holds {@code rootfs/} and {@code manifest}. */
    public Path treePath(ImageId id) {
        return trees.resolve(treeId(id));
    }

    /** The id of the rendered tree of {@code id}, its name in the trees directory: the image id itself. */
    public static String treeId(ImageId id) {
        return id.toString();
    }

    /**
     * The root filesystem of the rendered tree {@code treeId} in the store of data directory
     * {@code dataDir}: {@code <dataDir>/cas/trees/<treeId>/rootfs}, the overlay's lower directory.
     */
    public static Path rootfsOf(Path dataDir, String treeId) {
        return dataDir.resolve(DIRECTORY).resolve(TREES).resolve(treeId).resolve("rootfs");
    }

    Path treesDirectory() {
        return trees;
    }

    Journal journal() {
        return journal;
    }

    /** The index, caught up with the journal (including what other processes stored). */
    public ImageIndex index() throws ImageStoreException {
        catchUp();
        return index;
    }

    /** Every stored image, oldest import first. */
    public List<ImageRecord> list() throws ImageStoreException {
        return index().list();
    }

    /** The stored image {@code id}. */
    public ImageRecord get(ImageId id) throws ImageStoreException {
        return index().get(id);
    }

    /** See {@link ImageIndex#resolve(String)}. */
    public ImageRecord resolve(String reference) throws ImageStoreException {
        return index().resolve(reference);
    }

    /**
     * Stores the ACI at {@code aci}: reads it once, copying it to a temporary blob while
     * {@link AciReader} checks the archive and computes the image ID, validates the manifest,
     * renames the blob to {@code blobs/<id>} and appends {@code image.stored}, unless the image is
     * already stored, which is success. Nothing is stored when the archive or its manifest is
     * refused.
     *
     * @throws InvalidImageException naming the entry or listing every manifest problem with its path
     */
    public ImageRecord fetch(Path aci) throws ImageStoreException {
        return fetch(aci, null);
    }

    /**
     * As {@link #fetch(Path)}, recording who asked on {@code image.stored} (null: not stated); the
     * signature is kept if there is one, but not checked (see {@link #fetch(Path, Grantor, SignaturePolicy)}).
     */
    public ImageRecord fetch(Path aci, Grantor requestedBy) throws ImageStoreException {
        return fetch(aci, requestedBy, null);
    }

    /**
     * As {@link #fetch(Path, Grantor)}, treating the image's detached signature ({@code <aci>.asc},
     * {@link AciReader#signatureOf}) as {@code policy} says: verified against the trusted keys before
     * anything is kept, or skipped (and recorded so); null checks nothing and records nothing.
     *
     * @throws UnverifiedImageException if the policy verifies and no trusted key's valid signature
     *                                  was found; nothing is stored then
     */
    public ImageRecord fetch(Path aci, Grantor requestedBy, SignaturePolicy policy) throws ImageStoreException {
        return fetch(aci, requestedBy, policy, null);
    }

    /**
     * As {@link #fetch(Path, Grantor, SignaturePolicy)}, for an ACI downloaded to {@code aci} (a
     * {@link #newDownloadFile}) when {@code origin} is not null: {@code image.stored} names the origin's URL as
     * the source and records the origin.
     */
    public ImageRecord fetch(Path aci, Grantor requestedBy, SignaturePolicy policy, ImageOrigin origin)
            throws ImageStoreException {
        return fetch(aci, requestedBy, policy, origin, bytes -> { });
    }

    /**
     * As {@link #fetch(Path, Grantor, SignaturePolicy, ImageOrigin)}, telling {@code progress} the bytes of
     * {@code aci} read so far as the store reads it (every {@value #PROGRESS_STEP} bytes, on this thread): for a
     * large local file's progress line.
     */
    public ImageRecord fetch(Path aci, Grantor requestedBy, SignaturePolicy policy, ImageOrigin origin,
                             java.util.function.LongConsumer progress) throws ImageStoreException {
        Path source = aci.toAbsolutePath().normalize();
        checkWritable("store " + source);
        try (FileMutex.Held gc = lock(gcMutex, false)) {
            Path temp = createTemp(source);
            try {
                Fetched fetched = readInto(source, temp, progress);
                byte[] signature = readSignature(source);
                if (origin != null) { // the download's URL, not its temporary file, names it (and in refusals)
                    fetched = new Fetched(origin.url(), fetched.info(), fetched.manifest(), fetched.manifestJson(),
                            fetched.blobSize());
                }
                SignatureCheck check = check(policy, fetched, temp, signature);
                return keep(fetched, temp, requestedBy, signature, check, origin);
            } finally {
                deleteQuietly(temp);
            }
        }
    }

    /**
     * Checks again the signature kept with the stored image {@code id} against the keys
     * {@code trust} trusts for its name, over the blob as stored.
     *
     * @throws UnverifiedImageException naming the image, the key and what to do
     */
    public Signer verify(ImageId id, TrustStore trust) throws ImageStoreException {
        ImageRecord image = get(id);
        Path kept = signaturePath(image.id());
        byte[] signature;
        try {
            signature = Files.isRegularFile(kept) ? Files.readAllBytes(kept) : null;
        } catch (IOException e) {
            throw new ImageStoreException("cannot read the signature of image " + id + " in " + kept + " ("
                    + e.getMessage() + "): check its permissions", e);
        }
        return verify(trust, image.displayName() + " (" + image.id().shortString() + ")", image.name(), signature,
                blobPath(image.id()));
    }

    private Signer verify(TrustStore trust, String image, String name, byte[] signature, Path blob)
            throws ImageStoreException {
        try {
            return new SignatureVerifier(trust).verify(image, name, signature,
                    () -> new java.io.BufferedInputStream(Files.newInputStream(blob), 1 << 16));
        } catch (SignatureRefusedException e) {
            throw new UnverifiedImageException(e);
        } catch (IOException e) {
            throw new ImageStoreException("cannot verify the signature of image " + image + ": " + e.getMessage()
                    + "; check that the data directory and the trust store are readable", e);
        }
    }

    private SignatureCheck check(SignaturePolicy policy, Fetched fetched, Path temp, byte[] signature)
            throws ImageStoreException {
        if (policy == null) {
            return null;
        }
        if (policy instanceof SignaturePolicy.Skip skip) {
            return new SignatureCheck(false, null, null, skip.reason());
        }
        SignaturePolicy.Verify verify = (SignaturePolicy.Verify) policy;
        Signer signer = verify(verify.trust(), fetched.manifest().name().value() + " (" + fetched.source() + ")",
                fetched.manifest().name().value(), signature, temp);
        return new SignatureCheck(true, signer.fingerprint(), signer.prefix(), signer.describe());
    }

    /** The detached signature beside {@code source}, or null if there is none. */
    private static byte[] readSignature(Path source) throws ImageStoreException {
        Optional<Path> file = AciReader.signatureOf(source);
        if (file.isEmpty()) {
            return null;
        }
        try {
            return Files.readAllBytes(file.get());
        } catch (IOException e) {
            throw new ImageStoreException("cannot read the signature " + file.get() + " of " + source + " ("
                    + e.getMessage() + "): check its permissions", e);
        }
    }

    /** Keeps {@code signature} as the signature of {@code id}, unless one is kept already. */
    private void keepSignature(ImageId id, byte[] signature) throws ImageStoreException {
        Path target = signaturePath(id);
        if (signature == null || Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.createDirectories(signatures);
            Path temp = Files.createTempFile(signatures, ".sig-", TEMP_SUFFIX);
            try {
                Files.write(temp, signature);
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            if (noSpace(e)) {
                throw storeWriteFailed(id.toString(), e);
            }
            throw new ImageStoreException("cannot keep the signature of image " + id + " in " + target + " ("
                    + e.getMessage() + "): check that the data directory is writable", e);
        }
    }

    /** What one read of an ACI found. */
    private record Fetched(String source, AciInfo info, ImageManifest manifest, JsonNode manifestJson, long blobSize) {}

    private Path createTemp(Path source) throws ImageStoreException {
        try {
            return Files.createTempFile(blobs, ".fetch-", TEMP_SUFFIX);
        } catch (IOException e) {
            if (noSpace(e)) {
                throw storeWriteFailed(source.toString(), e);
            }
            throw new ImageStoreException("cannot fetch " + source + ": cannot create a temporary file in " + blobs
                    + " (" + Objects.requireNonNullElse(e.getMessage(), "I/O error") + "): check that the data directory"
                    + " is writable", e);
        }
    }

    /** Writing the blob into the store failed: the store's disk is full, or refuses the write. */
    private ImageStoreException storeWriteFailed(String name, IOException e) {
        if (noSpace(e)) {
            return new ImageStoreException("cannot fetch " + name + ": no space left on the file system of the image store "
                    + blobs + ": free space there (rkj image gc, rkj gc) and fetch again", e);
        }
        return new ImageStoreException("cannot fetch " + name + ": writing it into the image store " + blobs + " failed ("
                + Objects.requireNonNullElse(e.getMessage(), "I/O error") + "): check that disk, then fetch again", e);
    }

    /** A failure of the fetch that is not the copy's: reading the source, or flushing the copy (a full disk). */
    private ImageStoreException readFailed(String name, Path source, Path temp, IOException e) {
        String message = Objects.requireNonNullElse(e.getMessage(), "I/O error");
        if (noSpace(e)) {
            return storeWriteFailed(name, e);
        }
        if (e instanceof java.nio.file.AccessDeniedException denied && source.toString().equals(denied.getFile())) {
            return new ImageStoreException("cannot fetch " + name + ": permission denied reading it: check its permissions", e);
        }
        return new ImageStoreException("cannot fetch " + name + ": " + message + " (storing it as " + temp + ")", e);
    }

    private static boolean noSpace(IOException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c.getMessage() != null && c.getMessage().contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }


    /** How often {@link #fetch(Path, Grantor, SignaturePolicy, ImageOrigin, java.util.function.LongConsumer)} reports. */
    public static final int PROGRESS_STEP = 1 << 20;

    private Fetched readInto(Path source, Path temp, java.util.function.LongConsumer progress) throws ImageStoreException {
        String name = source.toString();
        AciInfo info;
        long size;
        try (InputStream file = Files.newInputStream(source);
                FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                OutputStream buffered = new BufferedOutputStream(Channels.newOutputStream(out), 1 << 16)) {
            TeeInputStream tee = new TeeInputStream(file, buffered, progress, PROGRESS_STEP);
            info = reader.read(tee, name);
            tee.drain();
            size = tee.count();
            buffered.flush();
            out.force(true);
        } catch (NoSuchFileException e) {
            throw new InvalidImageException(name, name + ": no such file", List.of(), e);
        } catch (AciFormatException e) {
            IOException storing = TeeInputStream.CopyFailedException.in(e);
            if (storing != null) {
                throw storeWriteFailed(name, storing);
            }
            throw new InvalidImageException(name, e.getMessage(), List.of(), e);
        } catch (IOException e) {
            IOException storing = TeeInputStream.CopyFailedException.in(e);
            throw storing != null ? storeWriteFailed(name, storing) : readFailed(name, source, temp, e);
        }
        byte[] manifestBytes = info.manifestJson();
        ImageManifest manifest;
        try {
            manifest = ManifestCodec.parseImageManifest(manifestBytes);
        } catch (ManifestException e) {
            List<String> problems = e.problems().stream().map(Problem::toString).collect(Collectors.toList());
            throw new InvalidImageException(name, name + ": entry 'manifest': invalid image manifest, "
                    + AppcManifestValidator.describe(e.problems()) + "; fix the manifest and build the image again",
                    problems, e);
        }
        List<String> whitelist = manifest.pathWhitelist();
        for (int i = 0; i < whitelist.size(); i++) {
            Optional<String> problem = PathLimits.problemOfAbsolute(whitelist.get(i));
            if (problem.isPresent()) {
                String where = "$.pathWhitelist[" + i + "]";
                throw new InvalidImageException(name, name + ": entry 'manifest': invalid image manifest, 1 problem: " + where
                        + ": " + problem.get(), List.of(where + ": " + problem.get()), null);
            }
        }
        JsonNode manifestTree;
        try {
            manifestTree = Json.mapper().readTree(manifestBytes);
        } catch (IOException e) {
            throw new InvalidImageException(name, name + ": entry 'manifest' cannot be read as JSON: " + e.getMessage(),
                    List.of(), e);
        }
        return new Fetched(name, info, manifest, manifestTree, size);
    }

    /**
     * A new empty file in the store's temporary area for a download: {@link #gc()} removes it if it is left
     * behind. The caller deletes it (and its {@code .asc}) once {@link #fetch(Path, Grantor, SignaturePolicy, ImageOrigin)} is done.
     */
    public Path newDownloadFile(String what) throws ImageStoreException {
        checkWritable("download " + what);
        return createTemp(Path.of(what));
    }

    private ImageRecord keep(Fetched fetched, Path temp, Grantor requestedBy, byte[] signature, SignatureCheck check,
                             ImageOrigin origin)
            throws ImageStoreException {
        ImageId id = ImageId.parse(fetched.info().imageId());
        try (FileMutex.Held held = lock(imageMutex(id), true)) {
            catchUp();
            boolean stored = index.contains(id);
            Path blob = blobPath(id);
            boolean blobThere = Files.isRegularFile(blob, LinkOption.NOFOLLOW_LINKS);
            if (stored && blobThere) {
                keepSignature(id, signature);
                return index.get(id);
            }
            try {
                // not stored yet: our blob replaces any orphan, so blob and event agree
                Files.move(temp, blob, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new ImageStoreException("cannot store " + fetched.source() + " as " + blob + ": " + e, e);
            }
            keepSignature(id, signature);
            AciInfo info = fetched.info();
            append(id, new ImageStored(id.toString(), fetched.manifest().name().value(),
                    fetched.manifest().labels().asMap(), fetched.manifestJson(), fetched.blobSize(),
                    info.uncompressedSize(), info.compression().wireName(), fetched.source(),
                    origin != null ? origin.signatureUrl()
                            : AciReader.signatureOf(Path.of(fetched.source())).map(Path::toString).orElse(null),
                    requestedBy, info.leftOut().paths(), info.leftOut().count(), check, origin));
            return index.get(id);
        }
    }

    /**
     * Removes the image: appends {@code image.removed}, then deletes its blob and rendered tree
     * (appending {@code image.tree-removed}). Whether a pod still uses the tree is the caller's
     * business. If a file cannot be deleted the image is still removed and {@link #gc()} retries.
     */
    public void remove(ImageId id) throws ImageStoreException {
        remove(id, null);
    }

    /** As {@link #remove(ImageId)}, recording who asked on {@code image.removed} (null: not stated). */
    public void remove(ImageId id, Grantor requestedBy) throws ImageStoreException {
        checkWritable("remove image " + id);
        try (FileMutex.Held gc = lock(gcMutex, false); FileMutex.Held held = lock(imageMutex(id), true)) {
            catchUp();
            if (!index.contains(id)) {
                throw new ImageNotFoundException(id.toString(), "image " + id + " is not in the store"
                        + " (see 'rkj image list')");
            }
            append(id, new ImageRemoved(id.toString(), requestedBy));
            try {
                Files.deleteIfExists(blobPath(id));
                Files.deleteIfExists(signaturePath(id));
                Path tree = treePath(id);
                if (Trees.deleteRecursively(tree)) {
                    append(id, new TreeRemoved(id.toString(), treeId(id)));
                }
            } catch (IOException e) {
                throw new ImageStoreException("image " + id + " was removed from the store, but its files could not all"
                        + " be deleted (" + e + "); 'rkj image gc' will delete them", e);
            }
        }
    }

    /**
     * Deletes what no stored image needs: trees and blobs of removed images, and the temporaries
     * of interrupted fetches and renders. Waits for fetches and renders in progress (in any
     * process) to finish first.
     */
    public GcResult gc() throws ImageStoreException {
        checkWritable("collect garbage");
        try (FileMutex.Held gc = lock(gcMutex, true)) {
            catchUp();
            List<Path> temps = new ArrayList<>();
            List<ImageId> removedTrees = new ArrayList<>();
            List<ImageId> removedBlobs = new ArrayList<>();
            try {
                for (Path path : Trees.children(blobs)) {
                    String name = path.getFileName().toString();
                    Optional<ImageId> id = idOf(name);
                    if (id.isEmpty()) {
                        if (name.endsWith(TEMP_SUFFIX) || name.endsWith(TEMP_SUFFIX + ".asc")) {
                            Trees.deleteRecursively(path);
                            temps.add(path);
                        }
                    } else if (!index.contains(id.get())) {
                        Files.deleteIfExists(path);
                        removedBlobs.add(id.get());
                    }
                }
                for (Path path : Trees.children(trees)) {
                    String name = path.getFileName().toString();
                    Optional<ImageId> id = idOf(name);
                    if (id.isEmpty()) {
                        if (name.startsWith(".") && name.contains(UNPACK_MARK) || name.endsWith(TEMP_SUFFIX)) {
                            Trees.deleteRecursively(path);
                            temps.add(path);
                        }
                    } else if (!index.contains(id.get())) {
                        Trees.deleteRecursively(path);
                        append(id.get(), new TreeRemoved(id.get().toString(), name));
                        removedTrees.add(id.get());
                    }
                }
                for (ImageRecord image : index.list()) {
                    if (image.treeId().isPresent() && !Trees.isRealDirectory(trees.resolve(image.treeId().get()))) {
                        // the journal says rendered, the disk disagrees: record what is true
                        append(image.id(), new TreeRemoved(image.id().toString(), image.treeId().get()));
                    }
                }
                for (Path path : Trees.children(signatures)) {
                    String name = path.getFileName().toString();
                    Optional<ImageId> id = name.endsWith(".asc") ? idOf(name.substring(0, name.length() - 4)) : Optional.empty();
                    if (id.isPresent() ? !index.contains(id.get()) : name.endsWith(TEMP_SUFFIX)) {
                        Files.deleteIfExists(path);
                    }
                }
                for (Path path : Trees.children(locks)) {
                    String name = path.getFileName().toString();
                    Optional<ImageId> id = name.endsWith(".lock") ? idOf(name.substring(0, name.length() - 5)) : Optional.empty();
                    if (id.isPresent() && !index.contains(id.get())) {
                        Files.deleteIfExists(path); // no one holds it: every holder holds the gc lock shared
                    }
                }
            } catch (IOException e) {
                throw new ImageStoreException("image gc failed in " + directory + ": " + e + "; fix the cause and run"
                        + " 'rkj image gc' again", e);
            }
            return new GcResult(removedTrees, removedBlobs, temps);
        }
    }

    /**
     * Unpacks the image's own ACI (no dependencies) into {@code target}, which must not exist:
     * {@code target/manifest} and {@code target/rootfs/}. The blob is checked against its ID.
     */
    public UnpackResult extract(ImageId id, Path target, UnpackOptions options) throws ImageStoreException {
        ImageRecord image = get(id);
        try {
            return new AciUnpacker().unpack(blobPath(image.id()), target, options.withExpectedImageId(id.toString()));
        } catch (UnpackException e) {
            throw new ImageStoreException("cannot extract image " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * Unpacks the image's own ACI (no dependencies) into the directory {@code dir}: its
     * {@code manifest} and {@code rootfs/}, or with {@code rootfsOnly} the rootfs's contents. The
     * tree is made beside {@code dir} and renamed into place.
     *
     * @param overwrite replace {@code dir} if it exists; otherwise an existing {@code dir} is an error
     */
    public void extractTo(ImageId id, Path dir, boolean rootfsOnly, boolean overwrite, UnpackOptions options)
            throws ImageStoreException {
        get(id);
        Path target = dir.toAbsolutePath().normalize();
        if (!overwrite && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new ImageStoreException(target + " already exists: pass --overwrite to replace it, or choose another directory");
        }
        Path temp;
        try {
            Files.createDirectories(target.getParent());
            temp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".extract-");
        } catch (IOException e) {
            throw new ImageStoreException("cannot extract image " + id + " to " + target + ": " + e, e);
        }
        ImageStoreException failure = null;
        try {
            UnpackResult result = extract(id, temp.resolve("image"), options);
            Path source = rootfsOnly ? result.rootfs() : result.target();
            if (overwrite) {
                Trees.deleteRecursively(target);
            }
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
            failure = new ImageStoreException(target + " already exists: pass --overwrite to replace it, or choose another directory", e);
            throw failure;
        } catch (IOException e) {
            failure = new ImageStoreException("cannot extract image " + id + " to " + target + ": " + e, e);
            throw failure;
        } catch (ImageStoreException e) {
            failure = e;
            throw e;
        } finally {
            try {
                Trees.deleteRecursively(temp);
            } catch (IOException e) {
                if (failure != null) {
                    failure.addSuppressed(e);
                }
                // otherwise only an empty leftover beside the target: the extracted tree is in place
            }
        }
    }

    /**
     * Copies the image's ACI, as stored, to {@code file} (through a temporary file beside it).
     *
     * @param overwrite replace {@code file} if it exists; otherwise an existing file is an error
     */
    public void export(ImageId id, Path file, boolean overwrite) throws ImageStoreException {
        ImageRecord image = get(id);
        Path target = file.toAbsolutePath().normalize();
        if (!overwrite && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new ImageStoreException(target + " already exists: pass --overwrite to replace it, or choose another file");
        }
        Path temp = null;
        try {
            Files.createDirectories(target.getParent());
            temp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", TEMP_SUFFIX);
            try (FileChannel in = FileChannel.open(blobPath(image.id()), StandardOpenOption.READ);
                    FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                long size = in.size();
                for (long done = 0; done < size; ) {
                    done += in.transferTo(done, size - done, out);
                }
                out.force(true);
            }
            Files.setAttribute(temp, "unix:mode", 0644);
            if (overwrite) {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.createLink(target, temp); // fails if the file appeared meanwhile
            }
        } catch (FileAlreadyExistsException e) {
            throw new ImageStoreException(target + " already exists: pass --overwrite to replace it, or choose another file", e);
        } catch (NoSuchFileException e) {
            throw new ImageStoreException("cannot export image " + id + ": " + e.getFile() + " is missing"
                    + (e.getFile() != null && e.getFile().startsWith(blobs.toString())
                    ? " (the store lost the blob: remove the image and fetch it again)" : ""), e);
        } catch (IOException e) {
            throw new ImageStoreException("cannot export image " + id + " to " + target + ": " + e, e);
        } finally {
            deleteQuietly(temp);
        }
    }

    /** The lock of one image: fetch, render and remove of that image take it. */
    FileMutex imageMutex(ImageId id) {
        return FileMutex.of(locks.resolve(id + ".lock"));
    }

    /** The store-wide gc lock, shared by work that makes temporaries, exclusive for gc. */
    FileMutex gcMutex() {
        return gcMutex;
    }

    static FileMutex.Held lock(FileMutex mutex, boolean exclusive) throws ImageStoreException {
        try {
            return exclusive ? mutex.exclusive() : mutex.shared();
        } catch (IOException e) {
            throw new ImageStoreException(e.getMessage() + "; check that the store directory is writable", e);
        }
    }

    void catchUp() throws ImageStoreException {
        try {
            index.catchUp(journal);
        } catch (JournalException e) {
            throw new ImageStoreException("cannot read the images from the journal: " + e.getMessage(), e);
        }
    }

    void append(ImageId id, ImageEvent event) throws ImageStoreException {
        try {
            journal.append(id.toString(), (Record) event);
        } catch (JournalException e) {
            throw new ImageStoreException("cannot record " + event.getClass().getSimpleName() + " of " + id
                    + " in the journal: " + e.getMessage(), e);
        }
        catchUp();
    }

    private static Optional<ImageId> idOf(String name) {
        if (!name.startsWith(ImageId.ALGORITHM + "-")) {
            return Optional.empty();
        }
        try {
            return Optional.of(ImageId.parse(name));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static void deleteQuietly(Path temp) {
        if (temp == null) {
            return;
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            // a leftover temporary is harmless: gc removes it
        }
    }
}
