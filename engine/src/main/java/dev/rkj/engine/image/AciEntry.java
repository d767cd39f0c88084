package dev.rkj.engine.image;

import java.nio.file.attribute.FileTime;

/**
 * One validated {@code rootfs} entry of an ACI.
 *
 * @param name       the entry name as written in the archive (for messages)
 * @param path       normalized path relative to {@code rootfs}, components joined by '/'; "" is rootfs itself
 * @param kind       what the entry is
 * @param mode       permission bits including setuid, setgid and sticky (07777)
 * @param uid        owner uid
 * @param gid        owner gid
 * @param mtime      modification time
 * @param size       data bytes (regular files only; 0 otherwise)
 * @param linkTarget a symlink's target as written, or a hard link's target as a normalized rootfs-relative path
 * @param devMajor   device major number (devices only)
 * @param devMinor   device minor number (devices only)
 */
record AciEntry(
        String name,
        String path,
        EntryKind kind,
        int mode,
        long uid,
        long gid,
        FileTime mtime,
        long size,
        String linkTarget,
        int devMajor,
        int devMinor) {}
