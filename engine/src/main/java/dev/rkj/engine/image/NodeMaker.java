package dev.rkj.engine.image;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * Creates device nodes and FIFOs, which Java cannot do by itself, and sets their mtime (Java
 * would open the node to do that, which blocks on a FIFO). {@link AciUnpacker} calls it only when
 * {@link UnpackOptions#allowDeviceNodes()} is set, and then sets owner and mode itself.
 */
public interface NodeMaker {
    /** The kinds of node. */
    enum NodeType { CHARACTER_DEVICE, BLOCK_DEVICE, FIFO }

    /**
     * Creates the node at {@code path}, which does not exist yet and whose parent is a real
     * directory, without following a symlink there, and sets its modification time.
     * {@code major}/{@code minor} are ignored for FIFOs.
     */
    void make(Path path, NodeType type, int major, int minor, FileTime mtime) throws IOException;

    /** The default: runs {@code mknod(1)}, then {@code touch -h} for the mtime. */
    static NodeMaker mknod() {
        return new MknodNodeMaker("mknod", "touch");
    }
}
