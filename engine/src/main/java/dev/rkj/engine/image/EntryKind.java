package dev.rkj.engine.image;

/** The kinds of tar entries an ACI rootfs may hold. */
enum EntryKind {
    DIRECTORY("directory"),
    FILE("regular file"),
    SYMLINK("symlink"),
    HARDLINK("hard link"),
    CHAR_DEVICE("character device"),
    BLOCK_DEVICE("block device"),
    FIFO("FIFO");

    private final String description;

    EntryKind(String description) {
        this.description = description;
    }

    String description() {
        return description;
    }

    boolean isNode() {
        return this == CHAR_DEVICE || this == BLOCK_DEVICE || this == FIFO;
    }
}
