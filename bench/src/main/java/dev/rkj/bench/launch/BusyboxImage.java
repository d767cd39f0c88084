package dev.rkj.bench.launch;

import dev.rkj.engine.appc.App;
import dev.rkj.engine.appc.ImageManifest;
import dev.rkj.engine.appc.ManifestCodec;
import dev.rkj.engine.image.AciBuildException;
import dev.rkj.engine.image.AciWriter;
import dev.rkj.engine.image.Compression;
import dev.rkj.engine.store.AppcManifestValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The benchmark's image: the machine's static busybox ({@code /bin/busybox}, Debian's
 * busybox-static) with a few applet symlinks, whose app is {@code /bin/true} run as user and group
 * 0, written as a gzip ACI with rkj's own {@link AciWriter}.
 */
public final class BusyboxImage {
    /** The image's name. */
    public static final String NAME = "bench.rkj.dev/busybox-true";
    private static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final List<String> APPLETS = List.of("sh", "true", "false", "echo", "ls", "cat", "sleep");

    private BusyboxImage() {}

    /**
     * Writes {@code <dir>/image/{manifest,rootfs}} and {@code <dir>/busybox-true.aci}.
     *
     * @return the ACI file
     * @throws IOException if /bin/busybox is missing (install busybox-static) or the ACI cannot be written
     */
    public static Path build(Path dir) throws IOException {
        if (!Files.isRegularFile(BUSYBOX)) {
            throw new IOException(BUSYBOX + " is missing: install Debian's busybox-static (scripts/setup does)");
        }
        Path image = dir.resolve("image");
        Path rootfs = image.resolve("rootfs");
        Path bin = Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(BUSYBOX, bin.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        for (String applet : APPLETS) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        for (String d : List.of("proc", "sys", "dev", "tmp", "etc")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/:/bin/sh\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\n");
        ImageManifest manifest = ImageManifest.builder(NAME).label("version", "1.0").label("os", "linux")
                .label("arch", "amd64").app(App.builder("0", "0").exec("/bin/true").build()).build();
        Files.write(image.resolve("manifest"), ManifestCodec.write(manifest));
        Path aci = dir.resolve("busybox-true.aci");
        try {
            new AciWriter(new AppcManifestValidator()).write(image, aci, Compression.GZIP);
        } catch (AciBuildException e) {
            throw new IOException("cannot build the benchmark image: " + e.getMessage(), e);
        }
        return aci;
    }
}
