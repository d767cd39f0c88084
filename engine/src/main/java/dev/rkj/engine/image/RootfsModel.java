package dev.rkj.engine.image;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the entries seen so far put in {@code rootfs}, kept in memory so that every new entry can
 * be checked against the tree it lands in before anything touches the disk:
 *
 * <ul>
 *   <li>each parent of an entry is a directory (named by an entry or implied by a deeper one),
 *       never a symlink or file: nothing is ever written through a symlink;</li>
 *   <li>no path appears twice;</li>
 *   <li>a hard link names an earlier entry that is not a directory;</li>
 *   <li>a symlink, followed through the symlinks already in the tree, stays inside rootfs.</li>
 * </ul>
 *
 * <p>Symlink targets are resolved the way the app will see them: an absolute target starts at the
 * rootfs root; a ".." that would climb above the root is an escape. Because a symlink added
 * later can change where an earlier one leads, {@link #firstEscapingSymlink()} re-checks all of
 * them against the final tree.
 */
final class RootfsModel {
    private static final int MAX_SYMLINK_HOPS = 40; // the kernel's MAXSYMLINKS

    /** A rejected entry, with the reason. */
    static final class RefusedException extends Exception {
        RefusedException(String reason) {
            super(reason);
        }
    }

    private record Node(EntryKind kind, boolean explicit, String symlinkTarget, String entryName) {}

    private enum Walk { INSIDE, ESCAPES, TOO_DEEP }

    private final Map<String, Node> nodes = new HashMap<>();
    private final Map<String, Node> symlinks = new LinkedHashMap<>();

    RootfsModel() {
        nodes.put("", new Node(EntryKind.DIRECTORY, false, null, "rootfs/"));
    }

    /**
     * Checks {@code entry} and records it (with the parent directories it implies).
     *
     * @throws RefusedException when the entry would break one of the rules above
     */
    void add(AciEntry entry) throws RefusedException {
        String path = entry.path();
        if (path.isEmpty()) {
            if (entry.kind() != EntryKind.DIRECTORY) {
                throw new RefusedException("rootfs must be a directory, not a " + entry.kind().description());
            }
            Node root = nodes.get("");
            if (root.explicit()) {
                throw new RefusedException("duplicate entry: rootfs/ appeared before");
            }
            nodes.put("", new Node(EntryKind.DIRECTORY, true, null, entry.name()));
            return;
        }
        List<String> implied = checkParents(path);
        Node existing = nodes.get(path);
        if (existing != null) {
            if (existing.kind() == EntryKind.DIRECTORY && !existing.explicit() && entry.kind() == EntryKind.DIRECTORY) {
                nodes.put(path, new Node(EntryKind.DIRECTORY, true, null, entry.name()));
                return;
            }
            if (existing.explicit()) {
                throw new RefusedException("duplicate entry: rootfs/" + path + " appeared before as entry '"
                        + existing.entryName() + "'; an ACI must not have duplicate entries");
            }
            throw new RefusedException("a " + entry.kind().description() + " where earlier entries put a directory (rootfs/"
                    + path + "); an ACI must not have duplicate entries");
        }
        Node node;
        switch (entry.kind()) {
            case HARDLINK:
                node = hardLink(entry);
                break;
            case SYMLINK:
                node = symlink(entry);
                break;
            default:
                node = new Node(entry.kind(), true, null, entry.name());
        }
        for (String dir : implied) {
            nodes.put(dir, new Node(EntryKind.DIRECTORY, false, null, null));
        }
        nodes.put(path, node);
        if (node.symlinkTarget() != null) {
            symlinks.put(path, node);
        }
    }

    /** A symlink that leads out of rootfs: its entry name and why. */
    record Escape(String entryName, String reason) {}

    /** Re-checks every symlink against the final tree; returns the first that leads out of rootfs, or null. */
    Escape firstEscapingSymlink() {
        for (Map.Entry<String, Node> link : symlinks.entrySet()) {
            String reason = escapeReason(link.getKey(), link.getValue().symlinkTarget());
            if (reason != null) {
                return new Escape(link.getValue().entryName(), reason);
            }
        }
        return null;
    }

    private List<String> checkParents(String path) throws RefusedException {
        List<String> implied = new ArrayList<>();
        int slash = -1;
        while ((slash = path.indexOf('/', slash + 1)) >= 0) {
            String parent = path.substring(0, slash);
            Node node = nodes.get(parent);
            if (node == null) {
                implied.add(parent);
            } else if (node.kind() != EntryKind.DIRECTORY) {
                String what = node.symlinkTarget() != null
                        ? "a symlink (to '" + node.symlinkTarget() + "'); entries are never written through symlinks"
                        : "a " + node.kind().description() + ", not a directory";
                throw new RefusedException("its parent rootfs/" + parent + " is " + what);
            }
        }
        return implied;
    }

    private Node hardLink(AciEntry entry) throws RefusedException {
        String target = entry.linkTarget();
        Node existing = nodes.get(target);
        if (existing == null || target.equals(entry.path())) {
            throw new RefusedException("hard link to rootfs/" + target + ", which is not an earlier entry of the archive");
        }
        if (existing.kind() == EntryKind.DIRECTORY) {
            throw new RefusedException("hard link to a directory (rootfs/" + target + ")");
        }
        // The link shares the target's inode, so it is whatever the target is.
        return new Node(existing.kind(), true, existing.symlinkTarget(), entry.name());
    }

    private Node symlink(AciEntry entry) throws RefusedException {
        String target = entry.linkTarget();
        if (target.isEmpty()) {
            throw new RefusedException("symlink with an empty target");
        }
        if (target.indexOf('\0') >= 0) {
            throw new RefusedException("symlink target contains a NUL byte");
        }
        String reason = escapeReason(entry.path(), target);
        if (reason != null) {
            throw new RefusedException(reason);
        }
        return new Node(EntryKind.SYMLINK, true, target, entry.name());
    }

    private String escapeReason(String linkPath, String target) {
        List<String> stack = new ArrayList<>();
        int slash = linkPath.lastIndexOf('/');
        if (slash > 0) {
            for (String component : linkPath.substring(0, slash).split("/")) {
                stack.add(component);
            }
        }
        Walk walk = walk(stack, target, new int[] {0});
        if (walk == Walk.ESCAPES) {
            return "symlink target '" + target + "' escapes the rootfs (followed from rootfs/" + linkPath
                    + ", it climbs above rootfs/)";
        }
        return null; // TOO_DEEP: the kernel gives up with ELOOP too, so it cannot lead anywhere
    }

    private Walk walk(List<String> stack, String target, int[] hops) {
        if (target.startsWith("/")) {
            stack.clear();
        }
        for (String component : target.split("/")) {
            if (component.isEmpty() || component.equals(".")) {
                continue;
            }
            if (component.equals("..")) {
                if (stack.isEmpty()) {
                    return Walk.ESCAPES;
                }
                stack.remove(stack.size() - 1);
                continue;
            }
            stack.add(component);
            Node node = nodes.get(String.join("/", stack));
            if (node != null && node.symlinkTarget() != null) {
                if (++hops[0] > MAX_SYMLINK_HOPS) {
                    return Walk.TOO_DEEP;
                }
                stack.remove(stack.size() - 1);
                Walk inner = walk(stack, node.symlinkTarget(), hops);
                if (inner != Walk.INSIDE) {
                    return inner;
                }
            }
        }
        return Walk.INSIDE;
    }
}
