package dev.rkj.stage1.kernel;

import java.nio.file.Path;

/** What a spawned child does with its file descriptors before exec (posix_spawn file actions). */
public sealed interface FileAction {
    /** {@code dup2(from, to)}: {@code to} is open in the child, without close-on-exec. */
    record Dup2(int from, int to) implements FileAction {}

    /** Opens {@code path} as descriptor {@code fd} in the child. */
    record Open(int fd, Path path, int flags, int mode) implements FileAction {}

    /** Closes every descriptor from {@code lowest} up. */
    record CloseFrom(int lowest) implements FileAction {}
}
