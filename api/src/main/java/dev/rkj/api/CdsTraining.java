package dev.rkj.api;

import dev.rkj.api.cli.Cli;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The AppCDS training run, at package time ({@code api/pom.xml}: {@code java
 * -XX:ArchiveClassesAtExit=target/rkj.jsa -Drkj.cds-training=DIR -jar target/rkj.jar}): loads
 * the classes a short {@code rkj} command needs, so that the archive holds them already parsed and
 * verified. The thin client against a socket that answers 404 (as a daemon without the thin path
 * would), then, in-process, an image built and fetched into a data directory in {@code DIR} (so
 * the journal and the store are opened) and read commands on it. It needs no root and no daemon;
 * what it prints is dropped.
 */
final class CdsTraining {
    private CdsTraining() {}

    static void run(Path dir) throws IOException {
        if (Files.exists(dir)) { // the last build's
            try (var old = Files.walk(dir)) {
                for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
        Path socket = dir.resolve("training.sock");
        Files.deleteIfExists(socket);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread answer = new Thread(() -> {
                try (SocketChannel c = server.accept()) {
                    c.read(ByteBuffer.allocate(4096));
                    c.write(ByteBuffer.wrap("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII)));
                } catch (IOException e) {
                    // the client then falls back, which is trained too
                }
            });
            answer.start();
            ThinClient.run(new String[] {"list"}, socket);
        } finally {
            Files.deleteIfExists(socket);
        }
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        PrintStream none = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        Path data = Files.createDirectories(dir.resolve("data"));
        String d = data.toString();
        Path image = Files.createDirectories(dir.resolve("image/rootfs")).getParent();
        Files.writeString(image.resolve("rootfs/hello"), "hello\n");
        Files.writeString(image.resolve("manifest"), "{\"acKind\": \"ImageManifest\", \"acVersion\": \"0.8.11\","
                + " \"name\": \"example.com/cds-training\", \"app\": {\"exec\": [\"/hello\"], \"user\": \"0\", \"group\": \"0\"}}");
        String aci = dir.resolve("training.aci").toString();
        Files.deleteIfExists(Path.of(aci));
        for (List<String> args : List.of(List.of("version"), List.of("--help"), List.of("run", "--help"),
                List.of("image", "build", image.toString(), aci),
                List.of("--dir", d, "fetch", "--insecure-options=image", aci), // a journal and a store to read
                List.of("--dir", d, "list"), List.of("--dir", d, "list", "--format=json"),
                List.of("--dir", d, "status", "0000"), List.of("--dir", d, "image", "list"),
                List.of("--dir", d, "journal", "verify"), List.of("--dir", d, "list", "--bogus"))) {
            new Cli(none, none).execute(args.toArray(String[]::new));
        }
    }
}
