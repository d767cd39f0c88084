package dev.rkj.engine.store;

import dev.rkj.engine.Grantor;
import dev.rkj.engine.image.Trees;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.appc.ImageId;
import dev.rkj.engine.image.Compression;
import dev.rkj.engine.store.ImageEvent.ImageRemoved;
import dev.rkj.engine.store.ImageEvent.ImageStored;
import dev.rkj.engine.store.ImageEvent.TreeRemoved;
import dev.rkj.engine.testing.HostileAciBuilder;
import dev.rkj.engine.testing.TestImages;
import dev.rkj.eventlog.ChronicleJournal;
import dev.rkj.eventlog.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ImageStoreTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Compression.class)
    void fetchStoresTheAciAsFetchedUnderItsImageId(Compression compression) throws Exception {
        StoreFixture f = new StoreFixture(dir);
        Path image = TestImages.busyboxImageDir(dir.resolve("busybox"),
                TestImages.imageManifestJson("example.com/busybox", Map.of("version", "1.36"), "/bin/sh"));
        Path aci = TestImages.gnuTarAci(image, dir.resolve("busybox.aci"), compression);

        ImageRecord stored = f.store.fetch(aci);

        assertEquals(TestImages.sha512sumImageId(aci, compression), stored.id().toString());
        assertArrayEquals(Files.readAllBytes(aci), Files.readAllBytes(f.store.blobPath(stored.id())));
        assertEquals(Files.size(aci), stored.blobSize());
        assertEquals(compression, stored.compression());
        assertEquals(aci.toAbsolutePath().toString(), stored.source());
        assertEquals("example.com/busybox:1.36", stored.displayName());
        assertEquals(Json.mapper().readTree(image.resolve("manifest").toFile()), Json.mapper().readTree(stored.manifestJson()));
        assertEquals(List.of(stored.id().toString()), f.entries("blobs"), "only the blob: no temporary left");
    }

    @Test
    void fetchTellsItsProgressAsItReadsTheFile() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        Path image = TestImages.busyboxImageDir(dir.resolve("busybox"),
                TestImages.imageManifestJson("example.com/busybox", Map.of("version", "1.36"), "/bin/sh"));
        Path aci = TestImages.gnuTarAci(image, dir.resolve("busybox.aci"), Compression.NONE);
        long size = Files.size(aci);
        List<Long> reports = new ArrayList<>();

        f.store.fetch(aci, null, null, null, reports::add);

        assertTrue(size > ImageStore.PROGRESS_STEP, "an image of more than one step: " + size);
        assertEquals(size / ImageStore.PROGRESS_STEP, reports.size(), "one report per step: " + reports);
        for (int i = 0; i < reports.size(); i++) {
            assertTrue(reports.get(i) >= (i + 1L) * ImageStore.PROGRESS_STEP && reports.get(i) <= size, reports.toString());
        }
    }

    @Test
    void fetchingTheSameImageAgainIsSuccessAndRecordsItOnce() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        Path aci = TestImage.named("example.com/app").file("etc/app.conf", "x").writeAci(f.work);
        ImageId first = f.store.fetch(aci).id();
        Path copy = Files.copy(aci, dir.resolve("copy.aci"));

        ImageId second = f.store.fetch(copy).id();

        assertEquals(first, second);
        assertEquals(1, f.events(ImageStored.class).size());
        assertEquals(List.of(first.toString()), f.entries("blobs"));
    }

    @Test
    void aStoredImageWhoseBlobWentMissingIsRepairedByFetchingItAgain() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        Path aci = TestImage.named("example.com/app").file("a", "1").writeAci(f.work);
        ImageId id = f.store.fetch(aci).id();
        Files.delete(f.store.blobPath(id));

        f.store.fetch(aci);

        assertArrayEquals(Files.readAllBytes(aci), Files.readAllBytes(f.store.blobPath(id)));
        assertEquals(2, f.events(ImageStored.class).size(), "the restored blob is recorded");
    }

    @Test
    void theSameImageWithAnotherCompressionIsTheSameImage() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        Path imageDir = TestImage.named("example.com/app").file("a", "1").writeDirectory(f.work);
        Path gzip = TestImages.gnuTarAci(imageDir, dir.resolve("a.aci"), Compression.GZIP);
        Path xz = TestImages.gnuTarAci(imageDir, dir.resolve("b.aci"), Compression.XZ);

        ImageRecord first = f.store.fetch(gzip);
        ImageRecord second = f.store.fetch(xz);

        assertEquals(first.id(), second.id());
        assertEquals(Compression.GZIP, second.compression(), "the first stored blob stays");
        assertEquals(1, f.events(ImageStored.class).size());
    }

    @Test
    void fetchRecordsTheSignatureBesideTheAci() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        Path aci = TestImage.named("example.com/signed").file("a", "1").writeAci(f.work);
        Path asc = Files.writeString(aci.resolveSibling(aci.getFileName() + ".asc"), "-----BEGIN PGP SIGNATURE-----\n");

        ImageRecord stored = f.store.fetch(aci);

        assertEquals(asc.toString(), stored.signature().orElseThrow());
        assertEquals(asc.toString(), f.events(ImageStored.class).get(0).signature());
    }

    @Test
    void aFetchThatVerifiesKeepsNothingOfARefusedImageAndRecordsTheSignerOfASignedOne() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        var key = dev.rkj.engine.trust.TestKeys.good("Signer <s@example.com>");
        dev.rkj.engine.trust.TrustStore trust = dev.rkj.engine.trust.TrustStore.of(dir.resolve("data"), dir.resolve("etc"));
        String fpr = trust.add(dev.rkj.engine.trust.TrustStore.read(dev.rkj.engine.trust.TestKeys.publicKey(key), "test"),
                "example.com").fingerprint();
        Path aci = TestImage.named("example.com/signed").file("a", "1").writeAci(f.work);
        Path asc = aci.resolveSibling(aci.getFileName() + ".asc");
        SignaturePolicy verify = new SignaturePolicy.Verify(trust);

        UnverifiedImageException missing = assertThrows(UnverifiedImageException.class, () -> f.store.fetch(aci, null, verify));
        assertEquals(dev.rkj.engine.trust.SignatureRefusedException.Reason.MISSING, missing.refusal());
        Files.write(asc, dev.rkj.engine.trust.TestKeys.sign(key, "other bytes".getBytes()));
        UnverifiedImageException tampered = assertThrows(UnverifiedImageException.class, () -> f.store.fetch(aci, null, verify));
        assertEquals(dev.rkj.engine.trust.SignatureRefusedException.Reason.TAMPERED, tampered.refusal());
        assertTrue(tampered.getMessage().startsWith("the signature of image example.com/signed (" + aci + ") by key " + fpr),
                tampered.getMessage());
        assertEquals(List.of(), f.imageEvents());
        try (var left = Files.list(f.store.directory().resolve("blobs"))) {
            assertEquals(0, left.count(), "no blob, not even a temporary, is left");
        }
        try (var left = Files.list(f.store.directory().resolve("signatures"))) {
            assertEquals(0, left.count());
        }

        Files.write(asc, dev.rkj.engine.trust.TestKeys.sign(key, Files.readAllBytes(aci)));
        ImageRecord stored = f.store.fetch(aci, null, verify);
        ImageEvent.SignatureCheck check = f.events(ImageStored.class).get(0).verification();
        assertEquals(new ImageEvent.SignatureCheck(true, fpr, "example.com",
                "signed by key " + fpr + ", trusted for prefix example.com"), check);
        assertEquals(Files.readString(asc), Files.readString(f.store.signaturePath(stored.id())));
        assertEquals(fpr, f.store.verify(stored.id(), trust).fingerprint(), "the kept signature verifies again");
        trust.remove(fpr);
        assertThrows(UnverifiedImageException.class, () -> f.store.verify(stored.id(), trust));
    }

    @Test
    void aFetchThatSkipsVerificationRecordsWhy() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        Path aci = TestImage.named("example.com/unsigned").file("a", "1").writeAci(f.work);
        f.store.fetch(aci, null, new SignaturePolicy.Skip(SignaturePolicy.Skip.INSECURE_OPTIONS));
        assertEquals(new ImageEvent.SignatureCheck(false, null, null, SignaturePolicy.Skip.INSECURE_OPTIONS),
                f.events(ImageStored.class).get(0).verification());
    }

    @Test
    void aManifestWithManyErrorsIsRefusedListingThemAllAndNothingIsStored() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        Path imageDir = TestImage.named("example.com/x").file("a", "1").writeDirectory(f.work);
        Files.writeString(imageDir.resolve("manifest"), "{\"acKind\": \"PodManifest\", \"acVersion\": \"0.0.0\","
                + " \"name\": \"Not Valid\", \"labels\": [{\"name\": \"os\", \"value\": \"plan9\"}],"
                + " \"pathWhitelist\": [\"relative/path\"]}");
        Path aci = TestImages.gnuTarAci(imageDir, dir.resolve("bad.aci"), Compression.GZIP);
        long before = f.journal.nextIndex();

        InvalidImageException e = assertThrows(InvalidImageException.class, () -> f.store.fetch(aci));

        assertTrue(e.problems().size() >= 5, e.problems().toString());
        for (String path : List.of("$.acKind", "$.acVersion", "$.name", "$.labels[0]", "$.pathWhitelist[0]")) {
            assertTrue(e.problems().stream().anyMatch(p -> p.startsWith(path)), path + " missing from " + e.problems());
            assertTrue(e.getMessage().contains(path), e.getMessage());
        }
        assertTrue(e.getMessage().startsWith(aci.toString() + ": entry 'manifest'"), e.getMessage());
        assertEquals(before, f.journal.nextIndex(), "no event");
        assertEquals(List.of(), f.entries("blobs"), "no blob and no temporary");
    }

    @Test
    void aHostileArchiveIsRefusedNamingTheEntryAndNothingIsStored() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        Path aci = HostileAciBuilder.validStart().symlink("rootfs/escape", "../../../etc")
                .write(dir.resolve("hostile.aci"), Compression.XZ);

        InvalidImageException e = assertThrows(InvalidImageException.class, () -> f.store.fetch(aci));

        assertTrue(e.getMessage().contains("entry 'rootfs/escape'"), e.getMessage());
        assertTrue(e.getMessage().contains("escapes the rootfs"), e.getMessage());
        assertEquals(0, f.journal.nextIndex());
        assertEquals(List.of(), f.entries("blobs"));
    }

    @Test
    void aWhitelistPathBeyondThePathLimitsIsRefusedAtFetchAndNothingIsStored() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        // kept with each of its leading directories, a path of 100,000 levels would cost the render minutes and GiBs
        Path deep = TestImage.named("example.com/x").whitelist("/" + "w/".repeat(100_000) + "end").file("a", "1")
                .writeAci(f.work);
        Path longName = TestImage.named("example.com/y").whitelist("/etc/" + "n".repeat(300)).file("a", "1")
                .writeAci(f.work);

        InvalidImageException tooDeep = assertThrows(InvalidImageException.class, () -> f.store.fetch(deep));
        InvalidImageException tooLong = assertThrows(InvalidImageException.class, () -> f.store.fetch(longName));

        assertTrue(tooDeep.getMessage().startsWith(deep + ": entry 'manifest': invalid image manifest, 1 problem:"
                + " $.pathWhitelist[0]: the path is 257 levels deep, deeper than the limit of 256"), tooDeep.getMessage());
        assertEquals(List.of("$.pathWhitelist[0]"), tooDeep.problems().stream().map(p -> p.substring(0, p.indexOf(':'))).toList());
        assertTrue(tooLong.getMessage().contains("$.pathWhitelist[0]: the name 'nnn"), tooLong.getMessage());
        assertTrue(tooLong.getMessage().contains("is 300 bytes long, over Linux's NAME_MAX of 255 bytes"), tooLong.getMessage());
        assertEquals(0, f.journal.nextIndex());
        assertEquals(List.of(), f.entries("blobs"));
    }

    @Test
    void aMissingFileIsAClearError() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        Path missing = dir.resolve("nope.aci");

        InvalidImageException e = assertThrows(InvalidImageException.class, () -> f.store.fetch(missing));

        assertEquals(missing + ": no such file", e.getMessage());
        assertEquals(List.of(), f.entries("blobs"));
    }

    @Test
    void imagesAreFoundByFullIdAndByUniquePrefix() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        ImageId id = f.fetch(TestImage.named("example.com/app").file("a", "1"));

        assertEquals(id, f.store.resolve(id.toString()).id());
        assertEquals(id, f.store.resolve("sha512-" + id.hex().substring(0, 12)).id());
        assertEquals(id, f.store.resolve("SHA512-".toLowerCase() + id.hex().substring(0, 4).toUpperCase()).id());
    }

    @Test
    void anAmbiguousPrefixListsTheCandidatesAndAnUnknownOneIsNotFound() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        // 17 images: two of them must share their first hex digit
        Map<Character, List<ImageId>> byFirstDigit = new HashMap<>();
        for (int i = 0; i < 17; i++) {
            ImageId id = f.fetch(TestImage.named("example.com/app").version("1." + i).file("n", "" + i));
            byFirstDigit.computeIfAbsent(id.hex().charAt(0), k -> new ArrayList<>()).add(id);
        }
        Map.Entry<Character, List<ImageId>> shared = byFirstDigit.entrySet().stream()
                .filter(e -> e.getValue().size() > 1).findFirst().orElseThrow();
        String prefix = "sha512-" + shared.getKey();

        AmbiguousImageException e = assertThrows(AmbiguousImageException.class, () -> f.store.resolve(prefix));

        assertEquals(shared.getValue().stream().sorted((a, b) -> a.hex().compareTo(b.hex())).toList(), e.candidateIds());
        for (ImageId candidate : shared.getValue()) {
            assertTrue(e.getMessage().contains(candidate.shortString()), e.getMessage());
        }
        assertTrue(e.getMessage().contains("give more digits"), e.getMessage());
        char unused = "0123456789abcdef".chars().mapToObj(c -> (char) c).filter(c -> !byFirstDigit.containsKey(c))
                .findFirst().orElse('x');
        if (unused != 'x') {
            ImageNotFoundException missing = assertThrows(ImageNotFoundException.class,
                    () -> f.store.resolve("sha512-" + unused));
            assertTrue(missing.getMessage().contains("no image in the store has an ID starting with"), missing.getMessage());
        }
        ImageNotFoundException full = assertThrows(ImageNotFoundException.class,
                () -> f.store.resolve("sha512-" + "0".repeat(128)));
        assertTrue(full.getMessage().contains("is not in the store"), full.getMessage());
    }

    @Test
    void aMalformedReferenceIsRefusedSayingWhy() throws Exception {
        StoreFixture f = new StoreFixture(dir);

        IllegalArgumentException notHex = assertThrows(IllegalArgumentException.class, () -> f.store.resolve("sha512-xyz"));
        IllegalArgumentException badName = assertThrows(IllegalArgumentException.class, () -> f.store.resolve("Example.com/App"));
        IllegalArgumentException badLabel = assertThrows(IllegalArgumentException.class,
                () -> f.store.resolve("example.com/app,version"));

        assertTrue(notHex.getMessage().contains("hex digits"), notHex.getMessage());
        assertTrue(badName.getMessage().contains("AC Identifier"), badName.getMessage());
        assertTrue(badLabel.getMessage().contains("is not name=value"), badLabel.getMessage());
    }

    @Test
    void byNameTheHighestVersionWinsAndAmongEqualVersionsTheLatestImport() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        ImageId v1 = f.fetch(TestImage.named("example.com/app").version("1.0.0").label("os", "linux").file("a", "1"));
        ImageId v2 = f.fetch(TestImage.named("example.com/app").version("2.0.0").file("a", "2"));
        ImageId v1again = f.fetch(TestImage.named("example.com/app").version("1.0.0").label("os", "linux").file("a", "3"));
        f.fetch(TestImage.named("example.com/other").version("9.0.0").file("a", "4"));

        assertEquals(v2, f.store.resolve("example.com/app").id());
        assertEquals(v2, f.store.resolve("example.com/app:latest").id());
        assertEquals(v1again, f.store.resolve("example.com/app:1.0.0").id(), "newest import of 1.0.0");
        assertEquals(v1again, f.store.resolve("example.com/app,version=1.0.0,os=linux").id());
        assertEquals(v2, f.store.resolve("example.com/app,os=freebsd").id(), "no os label: OS-independent");
        assertEquals(List.of(v2, v1again, v1),
                f.store.index().matching("example.com/app", Map.of()).stream().map(ImageRecord::id).toList());
        ImageNotFoundException e = assertThrows(ImageNotFoundException.class, () -> f.store.resolve("example.com/app:3.0.0"));
        assertTrue(e.getMessage().contains("example.com/app with labels {version=3.0.0}"), e.getMessage());
        assertFalse(v1.equals(v1again));
    }

    @Test
    void removeDeletesBlobAndTreeAndRecordsIt() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        ImageId id = f.fetch(TestImage.named("example.com/app").file("a", "1"));
        ImageId kept = f.fetch(TestImage.named("example.com/kept").file("a", "2"));
        Path rootfs = new ImageRenderer(f.store).render(id);

        f.store.remove(id);

        assertFalse(Files.exists(f.store.blobPath(id)));
        assertFalse(Files.exists(rootfs.getParent()));
        assertThrows(ImageNotFoundException.class, () -> f.store.get(id));
        assertEquals(List.of(kept), f.store.list().stream().map(ImageRecord::id).toList());
        List<ImageEvent> events = f.imageEvents();
        assertEquals(new ImageRemoved(id.toString()), events.get(events.size() - 2));
        assertEquals(new TreeRemoved(id.toString(), id.toString()), events.get(events.size() - 1));
        ImageNotFoundException again = assertThrows(ImageNotFoundException.class, () -> f.store.remove(id));
        assertTrue(again.getMessage().contains(id + " is not in the store"), again.getMessage());
    }

    @Test
    void aFetchAndARemovalRecordWhoAskedForThem() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        Grantor alice = new Grantor(1000L, "alice", null, "rkj fetch command line");
        Grantor ci = new Grantor(null, null, null, "rkj daemon API over TCP, token ci");
        ImageId id = f.store.fetch(TestImage.named("example.com/app").file("a", "1").writeAci(dir), alice).id();
        f.store.remove(id, ci);

        List<ImageEvent> events = f.imageEvents();
        assertEquals(alice, ((ImageEvent.ImageStored) events.get(0)).requestedBy());
        assertEquals(new ImageRemoved(id.toString(), ci), events.get(events.size() - 1));
        f.store.fetch(TestImage.named("example.com/app").file("a", "1").writeAci(dir), Grantor.UNSTATED);
        assertNull(((ImageEvent.ImageStored) f.imageEvents().get(2)).requestedBy(), "an unstated asker is recorded as none");
    }

    @Test
    void aRemovedImageCanBeFetchedAgain() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        Path aci = TestImage.named("example.com/app").file("a", "1").writeAci(f.work);
        ImageId id = f.store.fetch(aci).id();
        f.store.remove(id);

        assertEquals(id, f.store.fetch(aci).id());

        assertEquals(2, f.events(ImageStored.class).size());
        assertTrue(Files.isRegularFile(f.store.blobPath(id)));
    }

    @Test
    void gcRemovesTemporariesOrphanBlobsAndTreesOfRemovedImagesButKeepsStoredOnes() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        ImageId kept = f.fetch(TestImage.named("example.com/kept").file("a", "1"));
        Path keptTree = new ImageRenderer(f.store).render(kept).getParent();
        ImageId orphan = ImageId.parse("sha512-" + "ab".repeat(64));
        Files.writeString(f.store.blobPath(orphan), "left by a crash between rename and append");
        Path orphanTree = Files.createDirectories(f.store.treePath(orphan).resolve("rootfs/etc"));
        Path fetchTemp = Files.writeString(f.store.directory().resolve("blobs/.fetch-123.tmp"), "partial");
        Path renderTemp = Files.createDirectories(f.store.directory().resolve("trees/." + kept + ".unpack-42/tree/rootfs"));
        Files.setAttribute(renderTemp, "unix:mode", 0500);
        long before = f.journal.nextIndex();

        GcResult result = f.store.gc();

        assertEquals(List.of(orphan), result.trees());
        assertEquals(List.of(orphan), result.blobs());
        assertEquals(2, result.temps().size(), result.temps().toString());
        assertEquals(List.of(kept.toString()), f.entries("blobs"));
        assertEquals(List.of(kept.toString()), f.entries("trees"));
        assertFalse(Files.exists(orphanTree));
        assertFalse(Files.exists(fetchTemp));
        assertTrue(Files.isDirectory(keptTree.resolve("rootfs")));
        assertEquals(List.of(new TreeRemoved(orphan.toString(), orphan.toString())),
                f.imageEvents().subList((int) before, f.imageEvents().size()));
        assertTrue(f.store.gc().isEmpty(), "a second gc finds nothing");
    }

    @Test
    void gcRecordsATreeThatVanishedFromDisk() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        ImageId id = f.fetch(TestImage.named("example.com/app").file("a", "1"));
        Path tree = new ImageRenderer(f.store).render(id).getParent();
        Trees.deleteRecursively(tree);

        f.store.gc();

        assertTrue(f.store.get(id).treeId().isEmpty());
        assertEquals(new TreeRemoved(id.toString(), id.toString()), f.imageEvents().get(f.imageEvents().size() - 1));
    }

    @Test
    void theIndexIsRebuiltFromAReopenedChronicleJournal() throws Exception {
        Path journalDir = dir.resolve("journal");
        ImageId app;
        ImageId removed;
        List<ImageRecord> before;
        try (ChronicleJournal journal = ChronicleJournal.open(journalDir, EngineEvents.registry())) {
            StoreFixture f = new StoreFixture(dir, journal);
            app = f.fetch(TestImage.named("example.com/app").version("1.0.0").file("a", "1"));
            f.fetch(TestImage.named("example.com/app").version("2.0.0").file("a", "2"));
            removed = f.fetch(TestImage.named("example.com/gone").file("a", "3"));
            new ImageRenderer(f.store).render(app);
            f.store.remove(removed);
            before = f.store.list();
        }

        try (ChronicleJournal journal = ChronicleJournal.open(journalDir, EngineEvents.registry())) {
            ImageStore reopened = ImageStore.open(dir.resolve("cas"), journal);

            assertEquals(before, reopened.list());
            assertEquals(2, before.size());
            assertEquals(app.toString(), reopened.get(app).treeId().orElseThrow());
            assertThrows(ImageNotFoundException.class, () -> reopened.get(removed));
            assertEquals("example.com/app:2.0.0", reopened.resolve("example.com/app").displayName());
        }
    }

    @Test
    void anotherStoreOnTheSameJournalSeesWhatWasStored() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        ImageStore other = ImageStore.open(dir.resolve("cas"), f.journal);
        ImageId id = f.fetch(TestImage.named("example.com/app").file("a", "1"));

        assertEquals(id, other.resolve("example.com/app").id());
    }

    @Test
    void exportCopiesTheBlobAndRefusesToOverwriteUnlessAsked() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        ImageId id = f.fetch(TestImage.named("example.com/app").file("a", "1"));
        Path out = dir.resolve("out/app.aci");

        f.store.export(id, out, false);

        assertArrayEquals(Files.readAllBytes(f.store.blobPath(id)), Files.readAllBytes(out));
        ImageStoreException e = assertThrows(ImageStoreException.class, () -> f.store.export(id, out, false));
        assertTrue(e.getMessage().contains("already exists: pass --overwrite"), e.getMessage());
        Files.writeString(out, "old");
        f.store.export(id, out, true);
        assertArrayEquals(Files.readAllBytes(f.store.blobPath(id)), Files.readAllBytes(out));
        try (var left = Files.list(out.getParent())) {
            assertEquals(List.of(out), left.toList(), "no temporary left beside the export");
        }
    }
}
