package dev.rkj.api.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds and checks rkj's data directory ({@code --dir}, else {@code $RKJ_DIR}, else the default). */
final class DataDir {
    private DataDir() {}

    static Path resolve(Path flag, String env, String defaultDir) {
        return resolve(flag, env, defaultDir, true);
    }

    /**
     * As {@link #resolve(Path, String, String)}; with {@code mustWrite} off (a read), a data
     * directory this user cannot write is accepted: see {@link #writable}.
     */
    static Path resolve(Path flag, String env, String defaultDir, boolean mustWrite) {
        Path dir;
        boolean isDefault = false;
        if (flag != null) {
            dir = flag;
        } else if (env != null && !env.isBlank()) {
            dir = Path.of(env);
        } else {
            dir = Path.of(defaultDir);
            isDefault = true;
        }
        dir = dir.toAbsolutePath().normalize();
        if (!Files.exists(dir)) {
            if (!isDefault) {
                throw new CliException("data directory " + dir + " does not exist: create it (mkdir -p "
                        + dir + ") or point --dir / RKJ_DIR at an existing directory");
            }
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new CliException("cannot create the data directory " + dir + " (" + e.getMessage()
                        + "): run as root or pass --dir DIR", e);
            }
        }
        if (!Files.isDirectory(dir)) {
            throw new CliException("data directory " + dir + " is not a directory: pass --dir DIR naming a directory");
        }
        if (mustWrite) {
            checkWritable(dir);
        }
        return dir;
    }

    /** Whether this process can write the data directory and its journal. */
    static boolean writable(Path dir) {
        Path journal = dir.resolve("journal");
        return Files.isWritable(dir) && (!Files.exists(journal) || Files.isWritable(journal));
    }

    /**
     * Refuses, in one line naming it, a data directory this process cannot write: on a read-only
     * mount, or not writable by this user. Reads ({@code list}, {@code status}, {@code journal},
     * image reads) do not call this; every command that writes does, before it changes anything.
     */
    static void checkWritable(Path dir) {
        try {
            Path probe = Files.createTempFile(dir, ".rkj-write-probe", "");
            Files.delete(probe);
        } catch (AccessDeniedException e) {
            throw new CliException("data directory " + dir + " is not writable by this user (permission denied), and this"
                    + " command writes to it: run it as a user who can write " + dir + " (reads such as rkj list work"
                    + " as any user who can read it), or pass --dir DIR", e);
        } catch (FileSystemException e) {
            String reason = e.getReason() == null ? "" : e.getReason();
            if (reason.toLowerCase(java.util.Locale.ROOT).contains("read-only")) {
                throw new CliException("data directory " + dir + " is on a read-only file system, and this command"
                        + " writes to it: run it where " + dir + " is mounted read-write (reads such as rkj list work"
                        + " on a read-only data directory), or pass --dir DIR", e);
            }
            throw new CliException("data directory " + dir + " is not writable (" + (reason.isEmpty() ? "cannot create a"
                    + " file there" : reason) + "): run as a user who can write it, or pass --dir DIR", e);
        } catch (IOException | UnsupportedOperationException e) {
            throw new CliException("data directory " + dir + " is not writable (" + e.getMessage()
                    + "): run as a user who can write it, or pass --dir DIR", e);
        }
    }
}
