package dev.rkj.bench;

import dev.rkj.engine.image.AciReader;
import dev.rkj.engine.image.AciUnpacker;
import dev.rkj.engine.image.AciWriter;
import dev.rkj.engine.image.Compression;
import dev.rkj.engine.image.ManifestValidator;
import dev.rkj.engine.image.UnpackOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Unpack throughput of rkj's {@link AciUnpacker} beside GNU {@code tar -x} on the same ACI, in the
 * same run: a generated tree (small and large files, semi-compressible, plus busybox), written
 * once as a plain tar and once gzip-compressed. Each round unpacks into a fresh directory
 * (after a {@code sync}, outside the timing); the tools take turns going first; the median of
 * the rounds is reported, in MB/s of uncompressed tar. rkj's time includes computing the image
 * ID and all its checks; GNU tar's includes its process start (and, for gzip, the
 * {@code gzip -d} process it pipes through, which runs on a second core). Because rkj also
 * hashes, a second baseline does the same work with host tools: the uncompressed tar teed into
 * {@code tar -x} and {@code sha512sum}.
 *
 * <pre>
 * mvn -B -q -pl bench -am package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
 * java -cp bench/target/classes:$(cat bench/target/classpath.txt) dev.rkj.bench.UnpackBench [--dir D] [--mb 200] [--rounds 5] [--keep]
 * </pre>
 */
public final class UnpackBench {
    private UnpackBench() {}

    public static void main(String[] args) throws Exception {
        Path work = Path.of(System.getProperty("java.io.tmpdir"), "rkj-unpack-bench");
        int megabytes = 200;
        int rounds = 5;
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir":
                    work = Path.of(args[++i]);
                    break;
                case "--mb":
                    megabytes = Integer.parseInt(args[++i]);
                    break;
                case "--rounds":
                    rounds = Integer.parseInt(args[++i]);
                    break;
                case "--keep":
                    keep = true;
                    break;
                default:
                    System.err.println("usage: UnpackBench [--dir D] [--mb 200] [--rounds 5] [--keep]");
                    System.exit(2);
            }
        }
        run("rm", "-rf", work.toString());
        Files.createDirectories(work);
        try {
            Path image = generateImage(work.resolve("image"), megabytes);
            List<Row> rows = new ArrayList<>();
            for (Compression compression : List.of(Compression.NONE, Compression.GZIP)) {
                Path aci = work.resolve("bench-" + compression.wireName() + ".aci");
                new AciWriter(ManifestValidator.jsonObject()).write(image, aci, compression);
                rows.add(measure(work, aci, compression, rounds));
            }
            print(rows, megabytes, rounds);
        } finally {
            if (!keep) {
                run("rm", "-rf", work.toString());
            }
        }
    }

    private record Row(Compression compression, long archiveBytes, long tarBytes, int entries,
                       double rkjMs, double readOnlyMs, double gnuMs, double gnuHashMs) {}

    private static Row measure(Path work, Path aci, Compression compression, int rounds) throws Exception {
        var info = new AciReader().read(aci);
        AciUnpacker unpacker = new AciUnpacker();
        UnpackOptions options = UnpackOptions.defaults();
        List<Double> rkj = new ArrayList<>();
        List<Double> readOnly = new ArrayList<>();
        List<Double> gnu = new ArrayList<>();
        List<Double> gnuHash = new ArrayList<>();
        // GNU tar plus the image ID, as a shell would get it: the uncompressed tar teed into sha512sum
        String decompress = compression == Compression.GZIP ? "gzip -dc \"$0\"" : "cat \"$0\"";
        String tarAndHash = "{ " + decompress + " | tee /dev/fd/3 | tar -x -C \"$1\" >/dev/null; } 3>&1 | sha512sum >/dev/null";
        for (int round = -1; round < rounds; round++) { // round -1 warms up the JIT and the page cache
            for (int turn = 0; turn < 3; turn++) {
                int tool = Math.floorMod(turn + round, 3); // rotate who goes first
                Path target = work.resolve("out-" + compression.wireName());
                run("rm", "-rf", target.toString());
                run("sync");
                long start = System.nanoTime();
                if (tool == 0) {
                    unpacker.unpack(aci, target, options);
                    add(rkj, round, start);
                } else if (tool == 1) {
                    Files.createDirectories(target);
                    run("tar", "-xf", aci.toString(), "-C", target.toString());
                    add(gnu, round, start);
                } else {
                    Files.createDirectories(target);
                    run("bash", "-o", "pipefail", "-c", tarAndHash, aci.toString(), target.toString());
                    add(gnuHash, round, start);
                }
            }
            long start = System.nanoTime();
            new AciReader().read(aci);
            add(readOnly, round, start);
        }
        run("rm", "-rf", work.resolve("out-" + compression.wireName()).toString());
        return new Row(compression, Files.size(aci), info.uncompressedSize(), info.entryCount(),
                median(rkj), median(readOnly), median(gnu), median(gnuHash));
    }

    private static void add(List<Double> samples, int round, long startNanos) {
        double ms = (System.nanoTime() - startNanos) / 1e6;
        if (round >= 0) {
            samples.add(ms);
        }
    }

    private static void print(List<Row> rows, int megabytes, int rounds) {
        System.out.printf(Locale.ROOT, "UnpackBench: ~%d MB tree, median of %d rounds, %d cores, Java %s%n",
                megabytes, rounds, Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
        System.out.printf(Locale.ROOT, "%-5s %8s %8s %7s | %-16s | %-16s | %-16s | %-16s | %8s %8s%n", "ACI", "file MB", "tar MB",
                "entries", "rkj unpack", "GNU tar -x", "tar -x+sha512sum", "rkj read+hash", "vs tar", "vs t+sha");
        for (Row row : rows) {
            double mb = row.tarBytes() / 1e6;
            System.out.printf(Locale.ROOT, "%-5s %8.1f %8.1f %7d | %s | %s | %s | %s | %7.2fx %7.2fx%n",
                    row.compression().wireName(), row.archiveBytes() / 1e6, mb, row.entries(),
                    cell(row.rkjMs(), mb), cell(row.gnuMs(), mb), cell(row.gnuHashMs(), mb), cell(row.readOnlyMs(), mb),
                    row.gnuMs() / row.rkjMs(), row.gnuHashMs() / row.rkjMs());
        }
        System.out.println("cells: median ms and MB/s of uncompressed tar. vs tar / vs t+sha: the baseline's time over rkj's"
                + " (> 1: rkj is faster). rkj unpack includes the SHA-512 image ID and all safety checks;"
                + " rkj read+hash is AciReader alone (nothing written).");
    }

    private static String cell(double ms, double mb) {
        return String.format(Locale.ROOT, "%6.0f ms %4.0f/s", ms, mb / (ms / 1e3));
    }

    /** A busybox rootfs plus small (0.5-32 KiB) and large (8-16 MiB) files, about half compressible. */
    private static Path generateImage(Path image, int megabytes) throws IOException {
        Path rootfs = Files.createDirectories(image.resolve("rootfs"));
        Files.writeString(image.resolve("manifest"), "{\"acKind\":\"ImageManifest\",\"acVersion\":\"0.8.11\","
                + "\"name\":\"example.com/unpack-bench\",\"labels\":[{\"name\":\"version\",\"value\":\"1\"}]}",
                StandardCharsets.UTF_8);
        Path bin = Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING);
        for (String applet : List.of("sh", "ls", "cat", "echo", "env", "id", "ps", "sleep", "true", "false")) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        Random random = new Random(42);
        long budget = (long) megabytes << 20;
        long large = budget * 2 / 3;
        int index = 0;
        while (large > 0) {
            int size = (8 << 20) + random.nextInt(8 << 20);
            Path dir = Files.createDirectories(rootfs.resolve("opt/big"));
            Files.write(dir.resolve("blob" + index++ + ".bin"), content(random, size));
            large -= size;
            budget -= size;
        }
        index = 0;
        while (budget > 0) {
            int size = 512 + random.nextInt(32 << 10);
            Path dir = Files.createDirectories(rootfs.resolve("usr/share/small/d" + (index / 200)));
            Files.write(dir.resolve("f" + index++ + ".txt"), content(random, size));
            budget -= size;
        }
        return image;
    }

    private static byte[] content(Random random, int size) {
        byte[] bytes = new byte[size];
        byte[] text = "lorem ipsum dolor sit amet, consectetur adipiscing elit; ".getBytes(StandardCharsets.US_ASCII);
        for (int block = 0; block < size; block += 4096) {
            int end = Math.min(size, block + 4096);
            int half = Math.min(end, block + 2048);
            byte[] noise = new byte[half - block];
            random.nextBytes(noise);
            System.arraycopy(noise, 0, bytes, block, noise.length);
            for (int i = half; i < end; i++) {
                bytes[i] = text[i % text.length];
            }
        }
        return bytes;
    }

    private static double median(List<Double> samples) {
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).inheritIO().start();
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IOException(String.join(" ", command) + " exited " + exit);
        }
    }
}
