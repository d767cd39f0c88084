package dev.rkj.stage1.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The mount table of {@code /proc/self/mountinfo} (or a copy of it, for tests), as parsed
 * entries. A snapshot: read it again to see later changes.
 */
public final class MountInfo {
    /** The live table of this process's mount namespace. */
    public static final Path SELF = Path.of("/proc/self/mountinfo");

    /**
     * One line: the mount point, the filesystem type, its source and its super options
     * (for overlay they hold {@code lowerdir=...} as given, {@code /proc/self/fd/N} by
     * {@link dev.rkj.stage1.overlay.Overlay}; for cgroup v1 the controller names).
     */
    public record Mount(int id, int parentId, Path mountPoint, String fsType, String source,
                        List<String> superOptions) {}

    private final List<Mount> mounts;

    private MountInfo(List<Mount> mounts) {
        this.mounts = List.copyOf(mounts);
    }

    public static MountInfo read() throws IOException {
        return read(SELF);
    }

    public static MountInfo read(Path file) throws IOException {
        return parse(Files.readString(file));
    }

    public static MountInfo parse(String text) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                mounts.add(parseLine(line));
            }
        }
        return new MountInfo(mounts);
    }

    // 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
    private static Mount parseLine(String line) {
        String[] f = line.split(" ");
        int dash = 6;
        while (dash < f.length && !f[dash].equals("-")) {
            dash++;
        }
        if (dash + 2 >= f.length) {
            throw new IllegalArgumentException("unreadable mountinfo line: " + line);
        }
        String options = dash + 3 < f.length ? f[dash + 3] : "";
        return new Mount(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Path.of(unescape(f[4])),
                f[dash + 1], unescape(f[dash + 2]), List.of(options.split(",")));
    }

    /** mountinfo escapes space, tab, newline and backslash as {@code \ooo}. */
    public static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }

    public List<Mount> mounts() {
        return mounts;
    }

    /** The topmost mount at {@code mountPoint}, if any. */
    public Optional<Mount> at(Path mountPoint) {
        Path p = mountPoint.toAbsolutePath().normalize();
        Mount found = null;
        for (Mount m : mounts) {
            if (m.mountPoint().equals(p)) {
                found = m;
            }
        }
        return Optional.ofNullable(found);
    }
}
