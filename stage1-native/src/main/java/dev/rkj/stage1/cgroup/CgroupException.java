package dev.rkj.stage1.cgroup;

import java.io.IOException;
import java.nio.file.Path;

/** A cgroup file could not be read or written: names the file, the value and the cause. */
public class CgroupException extends IOException {
    private static final long serialVersionUID = 1L;

    private final Path file;

    public CgroupException(Path file, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
