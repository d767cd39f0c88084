package dev.rkj.engine.store;

import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.appc.ImageId;
import dev.rkj.eventlog.ChronicleJournal;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A second process rendering an image: {@code <cas dir> <journal dir> <image id>}. Prints
 * {@code ready} once the store is open, renders when it reads {@code go}, prints the rootfs.
 */
public final class RenderInChild {
    private RenderInChild() {}

    public static void main(String[] args) throws Exception {
        try (ChronicleJournal journal = ChronicleJournal.open(Path.of(args[1]), EngineEvents.registry())) {
            ImageStore store = ImageStore.open(Path.of(args[0]), journal);
            ImageRenderer renderer = new ImageRenderer(store);
            System.out.println("ready");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            if (!"go".equals(in.readLine())) {
                throw new IllegalStateException("expected go");
            }
            System.out.println(renderer.render(ImageId.parse(args[2])));
            System.out.flush();
        }
    }
}
