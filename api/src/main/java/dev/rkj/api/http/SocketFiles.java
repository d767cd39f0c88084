package dev.rkj.api.http;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The daemon's unix socket file: its directory made, a stale file from a daemon that died
 * replaced (a live daemon is never displaced), mode 0660 with the configured group, removed on
 * shutdown.
 */
public final class SocketFiles {
    private final Path path;

    private SocketFiles(Path path) {
        this.path = path;
    }

    /**
     * Makes the socket's directory (0755) and removes a stale socket file.
     *
     * @throws IllegalStateException naming the path: a daemon answers there, or it is not a socket
     */
    static SocketFiles prepare(Path path) {
        return prepare(path, "a daemon");
    }

    /**
     * {@link #prepare(Path)} for the socket of {@code who} ({@code "a metadata service"}).
     *
     * @throws IllegalStateException naming the path: {@code who} answers there, or it is not a socket
     */
    public static SocketFiles prepare(Path path, String who) {
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (!Files.isDirectory(parent)) {
                Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            }
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                if (!"s".equals(type(path))) {
                    throw new IllegalStateException(path + " exists and is not a socket: remove it or give another --socket");
                }
                if (answers(path)) {
                    throw new IllegalStateException(who + " already listens on " + path
                            + ": stop it first (systemctl stop rkj), or give another --socket");
                }
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare the socket " + path + ": " + e.getMessage(), e);
        }
        return new SocketFiles(path);
    }

    /** Mode 0660, group {@code group} (null: the owner's), so only root and that group may talk to the engine. */
    public void restrict(String group) throws IOException {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
        if (group != null) {
            GroupPrincipal principal;
            try {
                principal = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
            } catch (java.nio.file.attribute.UserPrincipalNotFoundException e) {
                throw new IllegalStateException("--socket-group " + group + " is not a group on this host: create it"
                        + " (groupadd " + group + ") or give another", e);
            }
            Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setGroup(principal);
        }
    }

    public void remove() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a socket file left behind is replaced by the next daemon (prepare)
        }
    }

    private static boolean answers(Path socket) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String type(Path path) throws IOException {
        Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        int m = (Integer) mode;
        return (m & 0170000) == 0140000 ? "s" : "other";
    }
}
