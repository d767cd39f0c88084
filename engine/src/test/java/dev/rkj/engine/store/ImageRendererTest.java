package dev.rkj.engine.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.appc.ImageId;
import dev.rkj.engine.image.Compression;
import dev.rkj.engine.image.LeftOut;
import dev.rkj.engine.store.ImageEvent.TreeRendered;
import dev.rkj.engine.store.RenderPlan.Layer;
import dev.rkj.engine.testing.HostileAciBuilder;
import dev.rkj.engine.testing.TreeSnapshot;
import dev.rkj.eventlog.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageRendererTest {
    @TempDir
    Path dir;

    /**
     * aci.md / ace.md "Filesystem Setup": A depends on B and C, both depend on D, so D is laid
     * twice (D, B, D, C, A), each time through the whitelists of the images above it on that path.
     */
    static final class Diamond {
        final Path d;
        final Path b;
        final Path c;
        final Path a;
        final ImageId idD;
        final ImageId idB;
        final ImageId idC;
        final ImageId idA;

        Diamond(StoreFixture f) throws ImageStoreException {
            TestImage d = TestImage.named("example.com/d").version("1.0.0").mtimesFrom(Instant.parse("2001-01-01T00:00:00Z"))
                    .file("etc/os-release", "D").file("etc/d-only", "D").file("bin/tool", "D", 0755)
                    .file("lib/libd.so", "D").file("x", "D file").file("y/inner", "D").symlink("z", "etc")
                    .file("opt/secret", "D");
            this.d = d.writeDirectory(f.work);
            idD = fetchDir(f, this.d);
            // another version of d that B's labels must not pick
            f.fetch(TestImage.named("example.com/d").version("2.0.0").file("etc/os-release", "wrong d").file("wrong", "x"));
            TestImage b = TestImage.named("example.com/b").dependsOn("example.com/d", "version", "1.0.0")
                    .mtimesFrom(Instant.parse("2002-01-01T00:00:00Z"))
                    .file("etc/os-release", "B").file("x/inner", "B").file("b/only", "B");
            this.b = b.writeDirectory(f.work);
            idB = fetchDir(f, this.b);
            TestImage c = TestImage.named("example.com/c").dependsOnId("example.com/d", idD)
                    .mtimesFrom(Instant.parse("2003-01-01T00:00:00Z"))
                    .whitelist("/etc/os-release", "/y", "/z", "/c/only", "/bin/tool", "/etc/d-only", "/x")
                    .symlink("y", "/etc").file("z", "C file").file("etc/os-release", "C").file("c/only", "C")
                    .file("c/dropped", "C");
            this.c = c.writeDirectory(f.work);
            idC = fetchDir(f, this.c);
            TestImage a = TestImage.named("example.com/a").dependsOn("example.com/b").dependsOn("example.com/c")
                    .mtimesFrom(Instant.parse("2004-01-01T00:00:00Z"))
                    .whitelist("/etc/os-release", "/etc/d-only", "/bin/tool", "/x", "/x/inner", "/y", "/z", "/b/only",
                            "/c/only", "/c/dropped", "/a/only")
                    .file("etc/os-release", "A").file("a/only", "A");
            this.a = a.writeDirectory(f.work);
            idA = fetchDir(f, this.a);
        }

        private static ImageId fetchDir(StoreFixture f, Path imageDir) throws ImageStoreException {
            return f.store.fetch(TestImage.aciFrom(imageDir, Compression.GZIP)).id();
        }
    }

    @Test
    void planLaysASharedDependencyOncePerPathWithThatPathsWhitelists() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        Diamond g = new Diamond(f);

        RenderPlan plan = new ImageRenderer(f.store).plan(g.idA);

        assertEquals(List.of(g.idD, g.idB, g.idD, g.idC, g.idA), plan.order());
        List<Layer> layers = plan.layers();
        assertEquals(List.of(g.idB, g.idA), layers.get(0).dependents());
        assertEquals(List.of(g.idC, g.idA), layers.get(2).dependents());
        assertEquals(List.of(), layers.get(4).dependents());
        Set<String> underC = Set.of("/etc", "/etc/os-release", "/etc/d-only", "/bin", "/bin/tool", "/x", "/y", "/z", "/c", "/c/only");
        assertEquals(Optional.of(underC), layers.get(2).keep(), "D under C: C's whitelist and A's");
        assertEquals(Optional.of(underC), layers.get(3).keep(), "C: its own whitelist and A's");
        assertTrue(layers.get(0).keep().orElseThrow().contains("/x/inner"), "D under B: A's whitelist only");
        assertTrue(layers.get(0).keep().orElseThrow().contains("/b/only"));
    }

    @Test
    void planFollowsTheSpecsExampleOrder() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        ImageId d = f.fetch(TestImage.named("example.com/d").file("d", "d"));
        ImageId b = f.fetch(TestImage.named("example.com/b").file("b", "b"));
        ImageId c = f.fetch(TestImage.named("example.com/c").dependsOn("example.com/d").file("c", "c"));
        ImageId a = f.fetch(TestImage.named("example.com/a").dependsOn("example.com/b").dependsOn("example.com/c").file("a", "a"));

        RenderPlan plan = new ImageRenderer(f.store).plan(a);

        assertEquals(List.of(b, d, c, a), plan.order(), "ace.md: the order of override is B, D, C, A");
        assertTrue(plan.layers().stream().allMatch(l -> l.keep().isEmpty()), "no whitelist: everything is kept");
    }

    @Test
    void renderLaysDependenciesUnderTheImageWithOverridesAndWhitelistsFileByFile() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        Diamond g = new Diamond(f);

        Path rootfs = new ImageRenderer(f.store).render(g.idA);

        assertEquals(f.store.treePath(g.idA).resolve("rootfs"), rootfs);
        TreeSnapshot rendered = TreeSnapshot.of(rootfs);
        Map<String, Path> providedBy = new TreeMap<>();
        providedBy.put("", g.a);
        providedBy.put("a", g.a);
        providedBy.put("a/only", g.a);
        providedBy.put("etc", g.a);
        providedBy.put("etc/os-release", g.a);
        providedBy.put("b", g.b);
        providedBy.put("b/only", g.b);
        providedBy.put("c", g.c);
        providedBy.put("c/only", g.c);
        providedBy.put("y", g.c); // C's symlink replaced D's directory
        providedBy.put("z", g.c); // C's file replaced D's symlink to etc, which was not followed
        providedBy.put("bin", g.d);
        providedBy.put("bin/tool", g.d);
        providedBy.put("etc/d-only", g.d);
        providedBy.put("x", g.d); // B made x a directory; D, laid again under C, made it a file again
        assertEquals(providedBy.keySet(), rendered.nodes().keySet(),
                "lib, opt (A's whitelist), x/inner (replaced), c/dropped (C's whitelist), y/inner gone");
        List<String> wrong = new ArrayList<>();
        providedBy.forEach((path, imageDir) -> {
            TreeSnapshot.Node expected = TreeSnapshot.of(imageDir.resolve("rootfs")).nodes().get(path);
            if (!expected.equals(rendered.nodes().get(path))) {
                wrong.add(path + ": expected " + expected + " from " + imageDir.getFileName() + ", got " + rendered.nodes().get(path));
            }
        });
        assertEquals(List.of(), wrong);
        assertEquals("A", Files.readString(rootfs.resolve("etc/os-release")));
        assertEquals("D file", Files.readString(rootfs.resolve("x")));
        assertEquals(Json.mapper().readTree(g.a.resolve("manifest").toFile()),
                Json.mapper().readTree(rootfs.resolveSibling("manifest").toFile()));
    }

    @Test
    void laterLayersReplaceFilesWithDirectoriesAndSymlinksAndBack() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        f.fetch(TestImage.named("example.com/base").file("f2d", "file").directory("d2f", 0755).file("d2f/inner", "x")
                .file("f2l", "file").symlink("l2f", "d2f").directory("d2l", 0555).file("d2l/inner", "x")
                .symlink("l2d", "/").directory("keep", 0700).file("keep/base", "base"));
        ImageId top = f.fetch(TestImage.named("example.com/top").dependsOn("example.com/base")
                .file("f2d/inner", "dir now").file("d2f", "file now").symlink("f2l", "keep").file("l2f", "file now")
                .symlink("d2l", "keep").directory("l2d", 0750).file("l2d/x", "dir now").file("keep/top", "top"));

        Path rootfs = new ImageRenderer(f.store).render(top);

        TreeSnapshot s = TreeSnapshot.of(rootfs);
        assertEquals("directory", s.nodes().get("f2d").type());
        assertEquals("file", s.nodes().get("d2f").type());
        assertEquals("symlink", s.nodes().get("f2l").type());
        assertEquals("file", s.nodes().get("l2f").type());
        assertEquals("symlink", s.nodes().get("d2l").type());
        assertEquals("directory", s.nodes().get("l2d").type());
        assertEquals(0750, s.nodes().get("l2d").mode());
        assertEquals(Set.of("", "f2d", "f2d/inner", "d2f", "f2l", "l2f", "d2l", "l2d", "l2d/x", "keep", "keep/base", "keep/top"),
                s.nodes().keySet(), "nothing below a replaced directory, nothing written through the replaced link to /");
        assertEquals(0755, s.nodes().get("keep").mode(), "the upper image's directory mode wins");
    }

    @Test
    void aDependencyWhoseWhitelistsLeaveNothingIsNotExtracted() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        ImageId lib = f.fetch(TestImage.named("example.com/lib").whitelist("/lib/only").file("lib/only", "l").file("etc/x", "x"));
        ImageId app = f.fetch(TestImage.named("example.com/app").dependsOn("example.com/lib").whitelist("/app").file("app", "a"));
        ImageRenderer renderer = new ImageRenderer(f.store);

        RenderPlan plan = renderer.plan(app);
        Path rootfs = renderer.render(app);

        assertEquals(List.of(lib, app), plan.order());
        assertTrue(plan.layers().get(0).keepsNothing());
        assertEquals(Set.of("", "app"), TreeSnapshot.of(rootfs).nodes().keySet());
    }

    @Test
    void renderingTwiceReturnsTheSameTreeAndRecordsItOnce() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        ImageId id = f.fetch(TestImage.named("example.com/app").file("a", "1"));
        ImageRenderer renderer = new ImageRenderer(f.store);

        Path first = renderer.render(id);
        TreeSnapshot before = TreeSnapshot.of(first);
        Path second = renderer.render(id);

        assertEquals(first, second);
        assertEquals(before, TreeSnapshot.of(second), "the tree is not touched again");
        assertEquals(List.of(new TreeRendered(id.toString(), first.getParent().getFileName().toString())), f.events(TreeRendered.class));
        assertEquals(id.toString(), f.store.get(id).treeId().orElseThrow());
    }

    @Test
    void concurrentRendersFromTwoThreadsRenderOnce() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        Diamond g = new Diamond(f);
        ImageRenderer one = new ImageRenderer(f.store);
        ImageRenderer two = new ImageRenderer(ImageStore.open(f.store.directory(), f.journal));
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Path> a = pool.submit(() -> {
                start.await();
                return one.render(g.idA);
            });
            Future<Path> b = pool.submit(() -> {
                start.await();
                return two.render(g.idA);
            });
            start.countDown();

            assertEquals(a.get(), b.get());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, f.events(TreeRendered.class).size());
        assertEquals(List.of(g.idA.toString()), f.entries("trees"), "one tree, no temporaries");
        assertEquals("A", Files.readString(f.store.treePath(g.idA).resolve("rootfs/etc/os-release")));
    }

    @Test
    void aTreeLeftByACrashBeforeItWasRecordedIsRecordedOnTheNextRender() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        ImageId id = f.fetch(TestImage.named("example.com/app").file("a", "1"));
        Files.createDirectories(f.store.treePath(id).resolve("rootfs"));

        Path rootfs = new ImageRenderer(f.store).render(id);

        assertEquals(f.store.treePath(id).resolve("rootfs"), rootfs);
        assertEquals(1, f.events(TreeRendered.class).size());
    }

    @Test
    void aMissingDependencyIsNamedAndNothingIsRendered() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        f.fetch(TestImage.named("example.com/lib").version("1.0.0").file("lib", "1"));
        ImageId app = f.fetch(TestImage.named("example.com/app").dependsOn("example.com/lib", "version", "2.0.0").file("a", "1"));
        long before = f.journal.nextIndex();

        MissingDependencyException e = assertThrows(MissingDependencyException.class, () -> new ImageRenderer(f.store).render(app));

        assertTrue(e.getMessage().contains("example.com/app (" + app.shortString() + ") depends on example.com/lib {version=2.0.0}"),
                e.getMessage());
        assertTrue(e.getMessage().contains("fetch it"), e.getMessage());
        assertEquals("example.com/lib {version=2.0.0}", e.dependency());
        assertEquals(before, f.journal.nextIndex());
        assertEquals(List.of(), f.entries("trees"));
    }

    @Test
    void aPinnedDependencyMustBeStoredAndCarryTheGivenName() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        ImageId lib = f.fetch(TestImage.named("example.com/lib").file("lib", "1"));
        ImageId absent = ImageId.parse("sha512-" + "c".repeat(128));
        ImageId wrongName = f.fetch(TestImage.named("example.com/app").dependsOnId("example.com/other", lib).file("a", "1"));
        ImageId missing = f.fetch(TestImage.named("example.com/app2").dependsOnId("example.com/lib", absent).file("a", "2"));
        ImageRenderer renderer = new ImageRenderer(f.store);

        MissingDependencyException named = assertThrows(MissingDependencyException.class, () -> renderer.render(wrongName));
        MissingDependencyException gone = assertThrows(MissingDependencyException.class, () -> renderer.render(missing));

        assertTrue(named.getMessage().contains("the stored image with that ID is named example.com/lib"), named.getMessage());
        assertTrue(gone.getMessage().contains("depends on example.com/lib " + absent + ", which is not in the store"),
                gone.getMessage());
    }

    @Test
    void aDependencyCycleIsDetectedAndNamed() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        ImageId x = f.fetch(TestImage.named("example.com/x").dependsOn("example.com/y").file("x", "x"));
        ImageId y = f.fetch(TestImage.named("example.com/y").dependsOn("example.com/z").file("y", "y"));
        ImageId z = f.fetch(TestImage.named("example.com/z").dependsOn("example.com/x").file("z", "z"));
        ImageId self = f.fetch(TestImage.named("example.com/self").dependsOn("example.com/self").file("s", "s"));
        ImageRenderer renderer = new ImageRenderer(f.store);

        DependencyCycleException e = assertThrows(DependencyCycleException.class, () -> renderer.render(x));
        DependencyCycleException own = assertThrows(DependencyCycleException.class, () -> renderer.render(self));

        assertEquals(List.of(x, y, z, x), e.cycle());
        assertTrue(e.getMessage().contains("example.com/x (" + x.shortString() + ") -> example.com/y (" + y.shortString()
                + ") -> example.com/z (" + z.shortString() + ") -> example.com/x"), e.getMessage());
        assertEquals(List.of(self, self), own.cycle());
        assertEquals(List.of(), f.entries("trees"));
    }

    @Test
    void aLayerThatCannotBeUnpackedFailsTheRenderNamingTheEntryAndLeavesNothing() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        Path devices = HostileAciBuilder.validStart().directory("rootfs/etc/").charDevice("rootfs/etc/mem", 1, 1)
                .write(dir.resolve("devices.aci"), Compression.NONE);
        InvalidImageException atFetch = assertThrows(InvalidImageException.class, () -> f.store.fetch(devices));
        assertEquals(devices + ": entry 'rootfs/etc/mem': a character device (1:1) is refused: an image may hold device"
                + " nodes and FIFOs only under /dev, where the pod mounts its own /dev over them; remove it from the image"
                + " and build it again", atFetch.getMessage());
        ImageId base = storeUnchecked(f, devices);
        ImageId app = f.fetch(TestImage.named("example.com/app").dependsOn("example.com/hostile").file("a", "1"));
        long before = f.journal.nextIndex();

        ImageRenderException e = assertThrows(ImageRenderException.class, () -> new ImageRenderer(f.store).render(app));

        assertTrue(e.getMessage().contains("layer example.com/hostile:1 (" + base.shortString() + ")"), e.getMessage());
        assertTrue(e.getMessage().contains("entry 'rootfs/etc/mem': a character device (1:1) is refused"), e.getMessage());
        assertEquals(before, f.journal.nextIndex());
        assertEquals(List.of(), f.entries("trees"), "no tree and no temporary");
    }

    @Test
    void devicesUnderDevAreLeftOutOfTheTreeAndRecordedWithTheImage() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        Path debian = HostileAciBuilder.validStart().directory("rootfs/dev/").charDevice("rootfs/dev/console", 5, 1)
                .charDevice("rootfs/dev/null", 1, 3).symlink("rootfs/dev/fd", "/proc/self/fd").directory("rootfs/dev/pts/")
                .directory("rootfs/bin/").file("rootfs/bin/true", "#!/bin/true\n")
                .write(dir.resolve("debian.aci"), Compression.GZIP);

        ImageId id = f.store.fetch(debian).id();
        Path rootfs = new ImageRenderer(f.store).render(id);

        LeftOut expected = new LeftOut(List.of("/dev/console", "/dev/null"), 2);
        assertEquals(expected, f.store.get(id).leftOut());
        assertEquals(expected, ImageIndex.replay(f.journal).get(id).leftOut(), "recorded in the journal");
        assertEquals(expected, ImageIndex.restore(f.store.index().saved()).get(id).leftOut(), "and in snapshots");
        try (var dev = Files.list(rootfs.resolve("dev"))) {
            assertEquals(List.of("fd", "pts"), dev.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertTrue(Files.isRegularFile(rootfs.resolve("bin/true")));
    }

    /** Stores the uncompressed {@code aci} as a store written before fetch checked it would hold it: blob and event. */
    private static ImageId storeUnchecked(StoreFixture f, Path aci) throws Exception {
        byte[] tar = Files.readAllBytes(aci);
        ImageId id = ImageId.parse("sha512-" + java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-512").digest(tar)));
        Files.write(f.store.blobPath(id), tar);
        f.store.append(id, new ImageEvent.ImageStored(id.toString(), "example.com/hostile", Map.of("version", "1"),
                Json.mapper().readTree(dev.rkj.engine.testing.TestImages.imageManifestJson("example.com/hostile",
                        Map.of("version", "1"))), tar.length, tar.length, "none", aci.toString(), null));
        return id;
    }

    @Test
    void aDependencyWhoseProcIsASymlinkIsRefusedAtFetchAndWhenRenderedFromAnOlderStoreNamingTheLayer() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        Path hostile = HostileAciBuilder.validStart().directory("rootfs/etc/").symlink("rootfs/proc", "/etc")
                .write(dir.resolve("proc-symlink.aci"), Compression.NONE);
        InvalidImageException atFetch = assertThrows(InvalidImageException.class, () -> f.store.fetch(hostile));
        assertEquals(hostile + ": entry 'rootfs/proc': rootfs/proc is a symlink (to /etc): /proc must be a directory or"
                + " absent, the pod mounts its own there; rebuild the image without it", atFetch.getMessage());
        ImageId base = storeUnchecked(f, hostile);
        ImageId app = f.fetch(TestImage.named("example.com/app").dependsOn("example.com/hostile").file("a", "1"));
        long before = f.journal.nextIndex();

        ImageRenderException e = assertThrows(ImageRenderException.class, () -> new ImageRenderer(f.store).render(app));

        assertEquals("cannot render example.com/app (" + app.shortString() + "): layer example.com/hostile:1 ("
                + base.shortString() + "): " + f.store.blobPath(base) + ": entry 'rootfs/proc': rootfs/proc is a symlink"
                + " (to /etc): /proc must be a directory or absent, the pod mounts its own there; rebuild the image without it",
                e.getMessage());
        assertEquals(before, f.journal.nextIndex());
        assertEquals(List.of(), f.entries("trees"), "no tree and no temporary");
    }

    @Test
    void aWhitelistBeyondThePathLimitsFromAnOlderStoreIsRefusedBeforeAnythingIsUnpacked() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        // as a store written before fetch checked whitelists would hold it: the event only (no blob is read)
        var manifest = (com.fasterxml.jackson.databind.node.ObjectNode) Json.mapper().readTree(
                dev.rkj.engine.testing.TestImages.imageManifestJson("example.com/old", Map.of()));
        manifest.putArray("pathWhitelist").add("/" + "w/".repeat(10_000) + "end");
        ImageId id = ImageId.parse("sha512-" + "ab".repeat(64));
        f.store.append(id, new ImageEvent.ImageStored(id.toString(), "example.com/old", Map.of(), manifest, 1, 1, "none",
                "old", null));

        ImageRenderException e = assertThrows(ImageRenderException.class, () -> new ImageRenderer(f.store).render(id));

        assertTrue(e.getMessage().startsWith("rendering example.com/old (" + id.shortString() + "): example.com/old ("
                + id.shortString() + ") has pathWhitelist entry '/w/w/w/"), e.getMessage());
        assertTrue(e.getMessage().contains("the path is 257 levels deep, deeper than the limit of 256"), e.getMessage());
        assertEquals(List.of(), f.entries("trees"));
    }

    @Test
    void aCorruptedBlobIsCaughtByItsImageIdWhenRendered() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        ImageId id = f.fetch(TestImage.named("example.com/app").file("a", "1"));
        Path other = TestImage.named("example.com/app").file("a", "2").writeAci(f.work);
        Files.copy(other, f.store.blobPath(id), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        ImageRenderException e = assertThrows(ImageRenderException.class, () -> new ImageRenderer(f.store).render(id));

        assertTrue(e.getMessage().contains("image ID mismatch"), e.getMessage());
        assertFalse(Files.exists(f.store.treePath(id)));
    }

    @Test
    void renderToCopiesTheRenderedTreeFaithfully() throws Exception {
        StoreFixture f = new StoreFixture(dir);
        ImageId id = f.fetch(TestImage.named("example.com/app").file("bin/tool", "x", 04755).file("data/one", "same")
                .hardlink("data/two", "data/one").symlink("data/link", "../bin").directory("ro", 0555));
        ImageRenderer renderer = new ImageRenderer(f.store);
        Path rootfsOnly = dir.resolve("out/rootfs-only");
        Path whole = dir.resolve("out/whole");

        renderer.renderTo(id, rootfsOnly, true, false);
        renderer.renderTo(id, whole, false, false);

        TreeSnapshot tree = TreeSnapshot.of(f.store.treePath(id).resolve("rootfs"));
        assertEquals(List.of(), tree.differencesFrom(TreeSnapshot.of(rootfsOnly)));
        assertEquals(List.of(), tree.differencesFrom(TreeSnapshot.of(whole.resolve("rootfs"))));
        assertEquals("data/one", TreeSnapshot.of(rootfsOnly).nodes().get("data/two").hardLinkGroup());
        assertEquals(f.store.get(id).manifestJson(), Files.readString(whole.resolve("manifest")));
        ImageStoreException exists = assertThrows(ImageStoreException.class, () -> renderer.renderTo(id, whole, false, false));
        assertTrue(exists.getMessage().contains("already exists: pass --overwrite"), exists.getMessage());
        renderer.renderTo(id, whole, true, true);
        assertEquals(List.of(), tree.differencesFrom(TreeSnapshot.of(whole)));
        try (var left = Files.list(dir.resolve("out"))) {
            assertEquals(Set.of("rootfs-only", "whole"), left.map(p -> p.getFileName().toString())
                    .collect(java.util.stream.Collectors.toSet()), "no temporaries beside the targets");
        }
    }
}
