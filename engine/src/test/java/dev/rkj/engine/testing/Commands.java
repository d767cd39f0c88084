package dev.rkj.engine.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Runs host programs (tar, gzip, sha512sum, mknod...) for tests, failing loudly with their output. */
public final class Commands {
    private Commands() {}

    /** Runs {@code command} and returns its standard output; fails with stderr when it exits non-zero. */
    public static String run(String... command) {
        return run(null, command);
    }

    /** Runs {@code command} with standard output written to {@code stdout} (when not null). */
    public static String run(Path stdout, String... command) {
        try {
            Path err = Files.createTempFile("rkj-cmd-", ".err");
            Path out = stdout != null ? stdout : Files.createTempFile("rkj-cmd-", ".out");
            try {
                Process process = new ProcessBuilder(List.of(command))
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
                int exit = process.waitFor();
                if (exit != 0) {
                    throw new AssertionError(String.join(" ", command) + " exited " + exit + ": "
                            + Files.readString(err, StandardCharsets.UTF_8));
                }
                return stdout != null ? "" : Files.readString(out, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(err);
                if (stdout == null) {
                    Files.deleteIfExists(out);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + String.join(" ", command), e);
        }
    }
}
