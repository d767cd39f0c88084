package dev.rkj.stage1;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The files that tell an app who its pod is. ace.md says nothing of them, so rkj does what rkt did:
 * <ul>
 *   <li>{@code /etc/hostname}: the pod's host name, when the image has none;</li>
 *   <li>{@code /etc/hosts}: on a private network, {@code localhost} and the pod's host name, when
 *       the image has none; on the host's network, the host's file in place of the image's;</li>
 *   <li>{@code /etc/resolv.conf}: on the host's network, the host's file in place of the image's; on
 *       a private network (loopback only) the image's, or none.</li>
 * </ul>
 * They are written into the pod's mounted root filesystem, the overlay, so they land in its upper
 * layer: the image's tree is never touched. An image whose {@code /etc} (or an app's root) is a
 * symlink gets none of them, as writing through it could reach outside the pod; nothing in an
 * image is followed.
 */
final class PodEtc {
    private final Path hostEtc;

    /** @param hostEtc the host's {@code /etc}, where a host-network pod's files come from */
    PodEtc(Path hostEtc) {
        this.hostEtc = hostEtc;
    }

    /**
     * Writes the files into the root of every app of the (mounted) pod.
     *
     * @throws IOException naming the file that could not be written
     */
    void write(Stage1Plan plan) throws IOException {
        Set<String> roots = new LinkedHashSet<>();
        plan.apps().forEach(a -> roots.add(a.root()));
        for (String root : roots) {
            Path etc = directory(plan.rootfs(), root.substring(1));
            etc = etc == null ? null : directory(etc, "etc");
            if (etc == null) {
                continue;
            }
            createIfAbsent(etc.resolve("hostname"), plan.hostname() + "\n");
            if (plan.net() == Stage1Plan.NetMode.HOST) {
                replace(etc.resolve("hosts"), Files.readAllBytes(hostEtc.resolve("hosts")));
                replace(etc.resolve("resolv.conf"), Files.readAllBytes(hostEtc.resolve("resolv.conf")));
            } else {
                Stage1Plan.Network network = plan.network();
                StringBuilder hosts = new StringBuilder("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                        + "127.0.1.1\t" + plan.hostname() + "\n");
                if (network == null || network.hostsLines().isEmpty()) {
                    createIfAbsent(etc.resolve("hosts"), hosts.toString());
                } else {
                    network.hostsLines().forEach(l -> hosts.append(l).append('\n'));
                    replace(etc.resolve("hosts"), hosts.toString().getBytes(StandardCharsets.UTF_8));
                }
                if (network != null && network.resolvConf() != null) {
                    replace(etc.resolve("resolv.conf"), network.resolvConf().getBytes(StandardCharsets.UTF_8));
                }
            }
        }
    }

    /** {@code base/rel}, each part a directory and none a symlink (made if absent); null if one is not. */
    private static Path directory(Path base, String rel) throws IOException {
        Path dir = base;
        for (String part : rel.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            dir = dir.resolve(part);
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            } else if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
        }
        return dir;
    }

    private static void createIfAbsent(Path file, String text) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) { // a dangling symlink is the image's too
            create(file, text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The image's file (or symlink, never followed) goes from the pod's view; the overlay keeps it below. */
    private static void replace(Path file, byte[] content) throws IOException {
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            return; // a directory is the image's choice; it stays
        }
        Files.deleteIfExists(file);
        create(file, content);
    }

    private static void create(Path file, byte[] content) throws IOException {
        try (SeekableByteChannel out = Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")))) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                out.write(buf);
            }
        } catch (FileAlreadyExistsException e) {
            throw new IOException("cannot write the pod's " + file + ": something else made it meanwhile", e);
        } catch (IOException e) {
            throw new IOException("cannot write the pod's " + file + ": " + e.getMessage(), e);
        }
    }
}
