package dev.rkj.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** Root filesystems for tests, built from the machine's static busybox (Debian busybox-static). */
public final class TestImages {
    public static final Path BUSYBOX = Path.of("/bin/busybox");
    /** The applets linked into /bin. */
    public static final List<String> APPLETS = List.of("sh", "cat", "id", "hostname", "ps", "mount", "sleep",
            "true", "false", "env", "pwd", "ls", "echo", "dd", "grep", "readlink", "kill", "wc", "touch", "rm",
            "head", "tr", "mkdir", "stat", "test");

    private TestImages() {}

    /**
     * Builds a busybox tree in {@code dir}: /bin with the applets, /etc/passwd (root, app 1000,
     * nobody) and /etc/group (root, app 1000, extra 2000, nogroup), and empty /proc /sys /dev
     * /tmp.
     */
    public static Path busybox(Path dir) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.copy(BUSYBOX, bin.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING);
        for (String applet : APPLETS) {
            Files.deleteIfExists(bin.resolve(applet));
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\n"
                + "app:x:1000:1000:app:/home/app:/bin/sh\n"
                + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
        Files.writeString(etc.resolve("group"), "root:x:0:\napp:x:1000:\nextra:x:2000:app\nnogroup:x:65534:\n");
        for (String d : List.of("proc", "sys", "dev", "tmp", "home/app")) {
            Files.createDirectories(dir.resolve(d));
        }
        return dir;
    }
}
