package dev.rkj.bench;

import dev.rkj.engine.fetch.FetchProgress;
import dev.rkj.engine.fetch.HttpDownloader;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Download throughput of rkj's {@link HttpDownloader} (Vert.x HTTP client, streamed to a file while
 * hashing with SHA-512) beside {@code curl -s -o} of the same file from the same loopback Vert.x
 * server, in the same run: they take turns going first; medians of the rounds, in MB/s, and their
 * ratio. rkj's time excludes storing (the store's ACI checks, measured by {@code unpack}) and
 * includes hashing; curl's includes its process start.
 *
 * <pre>
 * scripts/bench fetch [--mb 256] [--rounds 5] [--dir D]
 * </pre>
 */
public final class FetchBench {
    private FetchBench() {}

    public static void main(String[] args) throws Exception {
        Path work = Path.of(System.getProperty("java.io.tmpdir"), "rkj-fetch-bench-" + ProcessHandle.current().pid());
        int megabytes = 256;
        int rounds = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> work = Path.of(args[++i]);
                case "--mb" -> megabytes = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: scripts/bench fetch [--mb 256] [--rounds 5] [--dir D]");
                    System.exit(2);
                }
            }
        }
        Files.createDirectories(work);
        Path served = work.resolve("served.aci");
        byte[] block = new byte[1 << 20];
        new Random(42).nextBytes(block);
        try (var out = Files.newOutputStream(served)) {
            for (int i = 0; i < megabytes; i++) {
                out.write(block);
            }
        }
        long size = Files.size(served);
        Vertx vertx = Vertx.vertx();
        HttpServer server = vertx.createHttpServer().requestHandler(req -> req.response().sendFile(served.toString()))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
        URI url = URI.create("http://127.0.0.1:" + server.actualPort() + "/served.aci");
        List<Double> rkj = new ArrayList<>();
        List<Double> curl = new ArrayList<>();
        try (HttpDownloader downloader = new HttpDownloader()) {
            Path target = work.resolve("rkj.download");
            downloader.download(url, target, null, false, FetchProgress.NONE); // warm-up: class loading, JIT
            for (int round = 0; round < rounds; round++) {
                for (int turn = 0; turn < 2; turn++) {
                    boolean rkjTurn = (round + turn) % 2 == 0;
                    Files.deleteIfExists(target);
                    Path curlTarget = work.resolve("curl.download");
                    Files.deleteIfExists(curlTarget);
                    long start = System.nanoTime();
                    if (rkjTurn) {
                        downloader.download(url, target, null, false, FetchProgress.NONE);
                    } else {
                        Process p = new ProcessBuilder("curl", "-s", "-o", curlTarget.toString(), url.toString())
                                .inheritIO().start();
                        if (p.waitFor() != 0) {
                            throw new IllegalStateException("curl failed with status " + p.exitValue());
                        }
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    (rkjTurn ? rkj : curl).add(size / 1e6 / seconds);
                }
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
            try (var files = Files.list(work)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(work);
        }
        double r = median(rkj);
        double c = median(curl);
        System.out.printf(Locale.ROOT, "fetch of %d MB from a loopback HTTP server, %d rounds (medians):%n", megabytes, rounds);
        System.out.printf(Locale.ROOT, "  rkj HttpDownloader (stream to file + SHA-512)  %8.1f MB/s%n", r);
        System.out.printf(Locale.ROOT, "  curl -s -o                                     %8.1f MB/s%n", c);
        System.out.printf(Locale.ROOT, "  ratio rkj/curl                                 %8.2f%n", r / c);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
