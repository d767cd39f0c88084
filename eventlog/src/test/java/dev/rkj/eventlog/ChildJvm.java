package dev.rkj.eventlog;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a test {@code main} with this JVM's java, classpath and Chronicle flags.
 * It talks over stdin/stdout lines; its stderr goes to a file shown when it fails.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final Path errFile;
    private final List<String> lines = new ArrayList<>();

    private ChildJvm(Process process, Path errFile) {
        this.process = process;
        this.errFile = errFile;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /** Starts {@code main} with {@code args} in a child JVM (256 MB heap); its stderr goes to a file in {@code workDir}. */
    public static ChildJvm start(Path workDir, Class<?> main, String... args) throws IOException {
        List<String> command = command(List.of("-Xmx256m"), main, List.of(args));
        Path errFile = Files.createTempFile(workDir, "child-", ".err");
        Process process = new ProcessBuilder(command).redirectError(errFile.toFile()).start();
        return new ChildJvm(process, errFile);
    }

    /**
     * The command line that runs {@code main} with {@code args} in a JVM like this one: this JVM's java, its
     * --add-opens/--add-exports and -Dchronicle. flags, then {@code jvmOptions}, then its classpath. For callers
     * that need their own process handling (environment, merged output, expected non-zero exits).
     */
    public static List<String> command(List<String> jvmOptions, Class<?> main, List<String> args) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>();
        command.add(java);
        for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (flag.startsWith("--add-opens") || flag.startsWith("--add-exports") || flag.startsWith("-Dchronicle.")) {
                command.add(flag);
            }
        }
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(args);
        return command;
    }

    /** The next line the child printed; fails, with its stderr, if it ends first. */
    public String readLine() throws IOException {
        String line = out.readLine();
        if (line == null) {
            throw new IllegalStateException("child JVM ended without the expected output; stdout so far " + lines
                    + ", stderr: " + stderr());
        }
        lines.add(line);
        return line;
    }

    /** Reads the next line; fails, with the child's stderr, unless it is {@code expected}. */
    public void expectLine(String expected) throws IOException {
        String line = readLine();
        if (!line.equals(expected)) {
            throw new IllegalStateException("child JVM printed '" + line + "', expected '" + expected + "'; stderr: "
                    + stderr());
        }
    }

    /** Writes {@code line} to the child's stdin. */
    public void send(String line) throws IOException {
        in.write(line + "\n");
        in.flush();
    }

    /** Waits for the child to exit; returns the rest of its stdout. Fails with its stderr unless it exits 0. */
    public List<String> finish() throws IOException, InterruptedException {
        List<String> rest = new ArrayList<>();
        for (String line; (line = out.readLine()) != null; ) {
            rest.add(line);
        }
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            throw new IllegalStateException("child JVM did not exit; stderr: " + stderr());
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("child JVM exited " + process.exitValue() + "; stderr: " + stderr());
        }
        return rest;
    }

    /** What the child wrote to stderr so far. */
    public String stderr() {
        try {
            return Files.readString(errFile);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
