package dev.rkj.engine.image;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the entries seen so far put in {@code rootfs}, kept in memory as a tree of nodes so that
 * every new entry can be checked against the tree it lands in before anything touches the disk:
 *
 * <ul>
 *   <li>each parent of an entry is a directory (named by an entry or implied by a deeper one),
 *       never a symlink or file: nothing is ever written through a symlink;</li>
 *   <li>no path appears twice;</li>
 *   <li>a hard link names an earlier entry that is not a directory;</li>
 *   <li>paths and symlink targets stay within {@link PathLimits};</li>
 *   <li>once all entries are in ({@link #firstEscapingSymlink()}), every symlink, followed
 *       through the symlinks of the final tree, stays inside rootfs;</li>
 *   <li>and the pod's mount points are directories or absent ({@link #mountPointProblem()}).</li>
 * </ul>
 *
 * <p>Symlink targets are resolved the way the app will see them: an absolute target starts at the
 * rootfs root; a ".." that would climb above the root is an escape; more than 40 links followed
 * in one resolution is a loop (the kernel's ELOOP), which leads nowhere. Symlinks are resolved
 * only against the final tree, because a symlink added later can change where an earlier one
 * leads (nothing follows them while the archive is written: writes never go through a symlink).
 *
 * <p>Cost is linear: adding an entry walks its path once, one hash lookup per component; each
 * symlink's target is walked once, its result (where it leads, how many links it follows) kept
 * for every other symlink that passes through it, and without recursion, so that neither deep
 * trees nor long chains of links cost more than their size.
 */
final class RootfsModel {
    private static final int MAX_SYMLINK_HOPS = 40; // the kernel's MAXSYMLINKS

    /** A rejected entry, with the reason. */
    static final class RefusedException extends Exception {
        RefusedException(String reason) {
            super(reason);
        }
    }

    /** A symlink that leads out of rootfs: its entry name and why. */
    record Escape(String entryName, String reason) {}

    private static final class Node {
        final Node parent;
        final EntryKind kind;
        final String symlinkTarget; // a symlink's, or a hard link's to a symlink
        boolean explicit; // named by an entry, not only implied by deeper ones
        String entryName;
        Map<String, Node> children; // directories only, created on first use
        Resolution resolution; // symlinks only, once resolved
        boolean resolving;

        Node(Node parent, EntryKind kind, boolean explicit, String symlinkTarget, String entryName) {
            this.parent = parent;
            this.kind = kind;
            this.explicit = explicit;
            this.symlinkTarget = symlinkTarget;
            this.entryName = entryName;
        }

        Node child(String name) {
            return children == null ? null : children.get(name);
        }

        void put(String name, Node child) {
            if (children == null) {
                children = new HashMap<>();
            }
            children.put(name, child);
        }

        boolean isDirectory() {
            return kind == EntryKind.DIRECTORY;
        }
    }

    private enum Outcome { INSIDE, ESCAPES, LOOP }

    /**
     * Where a symlink leads: {@code at} is the deepest existing node of the place, {@code missing}
     * how many components below it do not exist (yet ".." can climb back); {@code hops} the links
     * followed, itself included (for ESCAPES: up to the escape).
     */
    private record Resolution(Outcome outcome, Node at, int missing, int hops) {
        static final Resolution LOOP = new Resolution(Outcome.LOOP, null, 0, MAX_SYMLINK_HOPS + 1);
    }

    /** One symlink in the middle of its resolution: where its target's walk stands. */
    private static final class Frame {
        final Node link;
        int position; // next character of the target to read
        Node at;
        int missing;
        int hops = 1;

        Frame(Node link, Node root) {
            this.link = link;
            this.at = link.symlinkTarget.startsWith("/") ? root : link.parent;
        }
    }

    private record Link(Node node, String path) {}

    private final Node root = new Node(null, EntryKind.DIRECTORY, false, null, "rootfs/");
    private boolean rootExplicit;
    private final List<Link> symlinks = new ArrayList<>();

    /**
     * Checks {@code entry} and records it (with the parent directories it implies).
     *
     * @return what the entry is: its own kind, or for a hard link the kind of its target
     * @throws RefusedException when the entry would break one of the rules above
     */
    EntryKind add(AciEntry entry) throws RefusedException {
        String path = entry.path();
        if (path.isEmpty()) {
            if (entry.kind() != EntryKind.DIRECTORY) {
                throw new RefusedException("rootfs must be a directory, not a " + entry.kind().description());
            }
            if (rootExplicit) {
                throw new RefusedException("duplicate entry: rootfs/ appeared before");
            }
            rootExplicit = true;
            return EntryKind.DIRECTORY;
        }
        List<String> components = split(path);
        String problem = PathLimits.problem(path, components);
        if (problem != null) {
            throw new RefusedException(problem);
        }
        // the deepest existing parent; components from `firstImplied` to the last parent are new
        Node parent = root;
        int firstImplied = components.size() - 1;
        for (int i = 0; i < components.size() - 1; i++) {
            Node node = parent.child(components.get(i));
            if (node == null) {
                firstImplied = i;
                break;
            }
            if (!node.isDirectory()) {
                String what = node.symlinkTarget != null
                        ? "a symlink (to '" + PathLimits.abbreviate(node.symlinkTarget) + "'); entries are never written through symlinks"
                        : "a " + node.kind.description() + ", not a directory";
                throw new RefusedException("its parent rootfs/" + String.join("/", components.subList(0, i + 1)) + " is " + what);
            }
            parent = node;
        }
        String name = components.get(components.size() - 1);
        boolean parentExists = firstImplied == components.size() - 1;
        Node existing = parentExists ? parent.child(name) : null;
        if (existing != null) {
            if (existing.isDirectory() && !existing.explicit && entry.kind() == EntryKind.DIRECTORY) {
                existing.explicit = true;
                existing.entryName = entry.name();
                return EntryKind.DIRECTORY;
            }
            if (existing.explicit) {
                throw new RefusedException("duplicate entry: rootfs/" + path + " appeared before as entry '"
                        + existing.entryName + "'; an ACI must not have duplicate entries");
            }
            throw new RefusedException("a " + entry.kind().description() + " where earlier entries put a directory (rootfs/"
                    + path + "); an ACI must not have duplicate entries");
        }
        EntryKind kind = entry.kind();
        String symlinkTarget = null;
        if (kind == EntryKind.HARDLINK) {
            Node target = hardLinkTarget(entry);
            kind = target.kind; // the link shares the target's inode, so it is whatever the target is
            symlinkTarget = target.symlinkTarget;
        } else if (kind == EntryKind.SYMLINK) {
            symlinkTarget = checkedSymlinkTarget(entry);
        }
        for (int i = firstImplied; i < components.size() - 1; i++) {
            Node implied = new Node(parent, EntryKind.DIRECTORY, false, null, null);
            parent.put(components.get(i), implied);
            parent = implied;
        }
        Node node = new Node(parent, kind, true, symlinkTarget, entry.name());
        parent.put(name, node);
        if (symlinkTarget != null) {
            symlinks.add(new Link(node, path));
        }
        return kind;
    }

    /** Resolves every symlink against the final tree; returns the first that leads out of rootfs, or null. */
    Escape firstEscapingSymlink() {
        for (Link link : symlinks) {
            Resolution resolution = resolve(link.node());
            if (resolution.outcome() == Outcome.ESCAPES) {
                return new Escape(link.node().entryName, "symlink target '" + PathLimits.abbreviate(link.node().symlinkTarget)
                        + "' escapes the rootfs (followed from rootfs/" + PathLimits.abbreviate(link.path())
                        + ", it climbs above rootfs/)");
            }
        }
        return null;
    }

    /** A mount point of the pod that the image made something other than a directory: its entry name and why. */
    record MountPointProblem(String entryName, String reason) {}

    /** The first of {@link PodMountPoints#PATHS} that is in the tree but not a directory, or null. */
    MountPointProblem mountPointProblem() {
        for (String path : PodMountPoints.PATHS) {
            Node node = root;
            for (String component : split(path)) {
                node = node == null ? null : node.child(component);
            }
            if (node == null || node.isDirectory()) {
                continue;
            }
            String what = node.symlinkTarget != null ? "a symlink (to " + PathLimits.abbreviate(node.symlinkTarget) + ")"
                    : "a " + node.kind.description();
            return new MountPointProblem(node.entryName, PodMountPoints.problem(path, what));
        }
        return null;
    }

    private Node hardLinkTarget(AciEntry entry) throws RefusedException {
        String target = entry.linkTarget();
        Node node = target.equals(entry.path()) ? null : find(target);
        if (node == null) {
            throw new RefusedException("hard link to rootfs/" + PathLimits.abbreviate(target)
                    + ", which is not an earlier entry of the archive");
        }
        if (node.isDirectory()) {
            throw new RefusedException("hard link to a directory (rootfs/" + PathLimits.abbreviate(target) + ")");
        }
        return node;
    }

    private static String checkedSymlinkTarget(AciEntry entry) throws RefusedException {
        String target = entry.linkTarget();
        if (target.isEmpty()) {
            throw new RefusedException("symlink with an empty target");
        }
        if (target.indexOf('\0') >= 0) {
            throw new RefusedException("symlink target contains a NUL byte");
        }
        String problem = PathLimits.targetProblem(target);
        if (problem != null) {
            throw new RefusedException(problem);
        }
        return target;
    }

    /** The node at {@code path} (relative to rootfs, normalized), reached through directories only; null if none. */
    private Node find(String path) {
        Node node = root;
        for (String component : split(path)) {
            if (!node.isDirectory()) {
                return null;
            }
            node = node.child(component);
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    /**
     * Where {@code link} leads, computed once per link: the walk of its target is a stack of
     * {@link Frame}s, one per link being resolved, so a chain of any length needs no recursion.
     * A link met again while its own resolution is under way loops, and so does every link
     * waiting on it.
     */
    private Resolution resolve(Node link) {
        if (link.resolution != null) {
            return link.resolution;
        }
        Deque<Frame> stack = new ArrayDeque<>();
        link.resolving = true;
        stack.push(new Frame(link, root));
        Resolution finished = null; // the resolution of the frame just popped, for the frame below
        while (!stack.isEmpty()) {
            Frame frame = stack.peek();
            Resolution done;
            if (finished != null) {
                done = follow(frame, finished);
                finished = null;
            } else {
                done = step(frame, stack);
            }
            if (done == CYCLE) {
                for (Frame waiting : stack) {
                    waiting.link.resolving = false;
                    waiting.link.resolution = Resolution.LOOP;
                }
                stack.clear();
            } else if (done != null) {
                finished = complete(stack, done);
            }
        }
        return link.resolution;
    }

    /** Marks the cycle found by {@link #step}: distinct from LOOP so the whole stack can be settled. */
    private static final Resolution CYCLE = new Resolution(Outcome.LOOP, null, 0, MAX_SYMLINK_HOPS + 1);

    /** Pops the finished frame, records its link's resolution and returns it, for the frame below. */
    private static Resolution complete(Deque<Frame> stack, Resolution done) {
        Frame frame = stack.pop();
        frame.link.resolving = false;
        frame.link.resolution = done;
        return done;
    }

    /** Continues {@code frame} past a link that resolved to {@code inner}; returns the frame's resolution if that ends it. */
    private static Resolution follow(Frame frame, Resolution inner) {
        if (inner.outcome() == Outcome.LOOP) {
            return Resolution.LOOP;
        }
        frame.hops += inner.hops();
        if (frame.hops > MAX_SYMLINK_HOPS) {
            return Resolution.LOOP;
        }
        if (inner.outcome() == Outcome.ESCAPES) {
            return new Resolution(Outcome.ESCAPES, null, 0, frame.hops);
        }
        frame.at = inner.at();
        frame.missing = inner.missing();
        return null;
    }

    /**
     * Walks {@code frame}'s target until it ends, escapes, or meets a link not resolved yet (then
     * that link's frame is pushed and null returned). Returns the frame's resolution, or
     * {@link #CYCLE}.
     */
    private Resolution step(Frame frame, Deque<Frame> stack) {
        String target = frame.link.symlinkTarget;
        int length = target.length();
        while (frame.position < length) {
            int end = target.indexOf('/', frame.position);
            if (end < 0) {
                end = length;
            }
            int start = frame.position;
            frame.position = end + 1;
            int size = end - start;
            if (size == 0 || (size == 1 && target.charAt(start) == '.')) {
                continue;
            }
            if (size == 2 && target.charAt(start) == '.' && target.charAt(start + 1) == '.') {
                if (frame.missing > 0) {
                    frame.missing--;
                } else if (frame.at == root) {
                    return new Resolution(Outcome.ESCAPES, null, 0, frame.hops);
                } else {
                    frame.at = frame.at.parent;
                }
                continue;
            }
            if (frame.missing > 0) {
                frame.missing++;
                continue;
            }
            Node next = frame.at.child(target.substring(start, end));
            if (next == null) {
                frame.missing = 1; // not in the tree (or below a file): a place that does not exist
            } else if (next.symlinkTarget == null) {
                frame.at = next;
            } else if (next.resolution != null) {
                Resolution done = follow(frame, next.resolution);
                if (done != null) {
                    return done;
                }
            } else if (next.resolving) {
                return CYCLE;
            } else {
                next.resolving = true;
                stack.push(new Frame(next, root));
                return null;
            }
        }
        return new Resolution(Outcome.INSIDE, frame.at, frame.missing, frame.hops);
    }

    /** The components of a normalized path (no empty, "." or ".." components). */
    private static List<String> split(String path) {
        List<String> components = new ArrayList<>();
        int start = 0;
        while (start <= path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            if (end > start) {
                components.add(path.substring(start, end));
            }
            start = end + 1;
        }
        return components;
    }
}
