package dev.rkj.engine.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link NodeMaker} that runs {@code mknod -m 0600 -- <path> c|b|p [major minor]}, then
 * {@code touch -h -m -d @<seconds> -- <path>} (utimensat without opening the node).
 */
public final class MknodNodeMaker implements NodeMaker {
    private final String mknod;
    private final String touch;

    /**
     * @param mknod the mknod program (a name looked up in PATH, or a path)
     * @param touch the GNU touch program
     */
    public MknodNodeMaker(String mknod, String touch) {
        this.mknod = mknod;
        this.touch = touch;
    }

    @Override
    public void make(Path path, NodeType type, int major, int minor, FileTime mtime) throws IOException {
        List<String> command = new ArrayList<>(List.of(mknod, "-m", "0600", "--", path.toString()));
        switch (type) {
            case CHARACTER_DEVICE:
                command.addAll(List.of("c", Integer.toString(major), Integer.toString(minor)));
                break;
            case BLOCK_DEVICE:
                command.addAll(List.of("b", Integer.toString(major), Integer.toString(minor)));
                break;
            case FIFO:
                command.add("p");
                break;
            default:
                throw new AssertionError(type);
        }
        run(command);
        Instant instant = mtime.toInstant();
        run(List.of(touch, "-h", "-m", "-d", "@" + instant.getEpochSecond() + "." + String.format("%09d", instant.getNano()),
                "--", path.toString()));
    }

    private static void run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        int exit;
        try {
            exit = process.waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", command), e);
        }
        if (exit != 0) {
            throw new IOException(String.join(" ", command) + " failed (exit " + exit + "): " + output);
        }
    }
}
