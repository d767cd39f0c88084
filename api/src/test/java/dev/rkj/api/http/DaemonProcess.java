package dev.rkj.api.http;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code rkj daemon} in a child JVM (this test's classpath and JVM flags), on a socket in the
 * test's directory and on TCP loopback with a token. Its stdout and stderr go to files. Public for the
 * CLI's ITs that run their checks through a daemon too ({@code dev.rkj.api.cli.InteractiveThroughDaemonIT}).
 */
public final class DaemonProcess implements AutoCloseable {
    private static final Pattern PORT = Pattern.compile("\\(port (\\d+)\\)");

    public final Process process;
    public final Path socket;
    final Path stderr;
    final int port;

    private DaemonProcess(Process process, Path socket, Path stderr, int port) {
        this.process = process;
        this.socket = socket;
        this.stderr = stderr;
        this.port = port;
    }

    /** @param more more {@code rkj daemon} options, e.g. {@code --socket-group daemon} */
    public static DaemonProcess start(Path data, Path socket, Path tokenFile, Path logs, String... more) throws IOException {
        return start(false, data, socket, tokenFile, logs, more);
    }

    /**
     * {@link #start}, socket-activated: under {@code systemd-socket-activate -l socket}, which binds the
     * socket and execs the daemon with it as fd 3 when the first client connects (this method connects once).
     */
    public static DaemonProcess startActivated(Path data, Path socket, Path tokenFile, Path logs, String... more)
            throws IOException {
        return start(true, data, socket, tokenFile, logs, more);
    }

    private static DaemonProcess start(boolean activated, Path data, Path socket, Path tokenFile, Path logs,
            String... more) throws IOException {
        return start(activated, "127.0.0.1:0", data, socket, tokenFile, logs, more);
    }

    /** {@link #start}, on TCP at {@code listen} (e.g. the port of an earlier daemon, to restart it where a browser looks). */
    static DaemonProcess start(boolean activated, String listen, Path data, Path socket, Path tokenFile, Path logs,
            String... more) throws IOException {
        Files.createDirectories(logs);
        List<String> command = new ArrayList<>();
        if (activated) {
            command.addAll(List.of("systemd-socket-activate", "-l", socket.toString()));
        }
        command.addAll(rkj(data, "daemon", "--socket", socket.toString(),
                "--listen", listen, "--token-file", tokenFile.toString()));
        command.addAll(List.of(more));
        String n = Long.toString(System.nanoTime());
        Path out = logs.resolve("daemon-" + n + ".out");
        Path err = logs.resolve("daemon-" + n + ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        // the daemon's metadata service in the test's directory, on a free port: never the host's
        builder.environment().put("RKJ_MDS_SOCKET", socket.toAbsolutePath().resolveSibling("mds.sock").toString());
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            builder.environment().put("RKJ_MDS_PORT", Integer.toString(free.getLocalPort()));
        }
        Process process = builder.start();
        int[] port = {-1};
        boolean[] poked = {!activated};
        try {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> {
                if (!process.isAlive()) {
                    throw new AssertionError("the daemon exited with " + process.exitValue() + ": " + Files.readString(err));
                }
                if (!poked[0] && Files.exists(socket)) { // systemd-socket-activate listens: the first connection starts the daemon
                    try (SocketChannel first = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                        first.connect(UnixDomainSocketAddress.of(socket));
                    }
                    poked[0] = true;
                }
                Matcher m = PORT.matcher(Files.readString(err));
                if (m.find()) {
                    port[0] = Integer.parseInt(m.group(1));
                    return true;
                }
                return false;
            });
        } catch (RuntimeException | Error e) {
            process.destroyForcibly();
            throw e;
        }
        return new DaemonProcess(process, socket, err, port[0]);
    }

    /** The command line of {@code rkj --dir data ARGS} in a child JVM with this test's classpath and JVM flags. */
    static List<String> rkj(Path data, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle")) {
                command.add(arg);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.rkj.api.Main", "--dir", data.toString()));
        command.addAll(List.of(args));
        return command;
    }

    /** SIGTERM, and waits for the exit; returns its code. */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("the daemon did not stop within 2 minutes of SIGTERM");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            terminate();
        }
    }
}
