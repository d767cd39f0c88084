package dev.rkj.engine.image;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The appc {@code pathWhitelist}: after extraction, every path not listed is removed, except the
 * directories leading to listed paths. A listed directory stays, its unlisted contents do not.
 */
final class PathWhitelist {
    private final Set<String> listed = new HashSet<>();
    private final Set<String> ancestors = new HashSet<>();

    /** @param absolutePaths paths as the app sees them ({@code /etc/hosts}, {@code /etc/systemd/system/}) */
    PathWhitelist(Set<String> absolutePaths) {
        for (String absolute : absolutePaths) {
            List<String> components = new ArrayList<>();
            for (String component : absolute.split("/")) {
                if (!component.isEmpty() && !component.equals(".")) {
                    components.add(component);
                }
            }
            if (components.isEmpty()) {
                listed.add("");
                continue;
            }
            listed.add(String.join("/", components));
            for (int i = 0; i < components.size(); i++) {
                ancestors.add(String.join("/", components.subList(0, i)));
            }
        }
    }

    boolean isEmpty() {
        return listed.isEmpty();
    }

    /**
     * Removes what is not kept below {@code rootfs}. With "/" listed, nothing is removed.
     *
     * @return how many paths were removed (a removed directory counts once)
     */
    int prune(Path rootfs) throws IOException {
        if (listed.contains("")) {
            return 0;
        }
        return prune(rootfs, "");
    }

    private int prune(Path dir, String relative) throws IOException {
        int removed = 0;
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(children::add);
        }
        for (Path child : children) {
            String path = relative.isEmpty() ? child.getFileName().toString() : relative + "/" + child.getFileName();
            if (listed.contains(path) || ancestors.contains(path)) {
                if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                    removed += prune(child, path);
                }
            } else {
                Trees.deleteRecursively(child);
                removed++;
            }
        }
        return removed;
    }
}
