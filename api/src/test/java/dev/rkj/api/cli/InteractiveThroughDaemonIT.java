package dev.rkj.api.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.api.http.DaemonProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link InteractiveIT}'s tests through a daemon: the user's terminal runs the native client
 * ({@code stage1-native/target/rkj-client}) as the {@code rkj} launcher does, which relays the
 * terminal to the daemon, where the pod is attached. The jar it would fall back to logs its classes
 * to a file: none may be written (the command ran in the daemon, not in-process). The test's own
 * checks ({@code list}, {@code stop}) go through the daemon too. One test runs with the JVM's thin
 * client ({@code dev.rkj.api.ThinClient}) instead, whose class log must show no picocli.
 */
class InteractiveThroughDaemonIT extends InteractiveIT {
    private static final Path CLIENT = Path.of("..", "stage1-native", "target", "rkj-client").toAbsolutePath().normalize();
    private static final Path JAR = Path.of("target", "rkj.jar").toAbsolutePath();

    private DaemonProcess daemon;
    private boolean jvmClient;

    @BeforeEach
    void startDaemon() throws Exception {
        assertTrue(Files.isExecutable(CLIENT), "stage1-native builds " + CLIENT);
        Path token = dir.resolve("token");
        Files.writeString(token, "a-token-no-one-uses-0123456789\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        daemon = DaemonProcess.start(data, dir.resolve("api.sock"), token, dir.resolve("logs"));
    }

    /** Before {@link InteractiveIT}'s clean-up (in-process then: its engine takes the pods over). */
    @AfterEach
    void stopDaemon() throws Exception {
        try {
            assertFalse(Files.exists(fallbackLog()), "a command ran in-process, not through the daemon");
            Path thin = dir.resolve("thin-classes.log");
            assertFalse(jvmClient && Files.readString(thin).contains("] picocli."), "the JVM client ran the command in-process");
        } finally {
            daemon.close();
        }
    }

    private Path fallbackLog() {
        return dir.resolve("fallback-classes.log");
    }

    @Test
    void theJvmThinClientRelaysTheTerminalToo() throws Exception {
        jvmClient = true;
        theAppHasAPtyCtrlCReachesItsJobTheWindowSizeFollowsAndTheTerminalComesBackAsItWas();
    }

    @Override
    List<String> command(List<String> args) {
        if (jvmClient) {
            List<String> command = new ArrayList<>(List.of("env", "RKJ_SOCKET=" + daemon.socket,
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xlog:class+load:file=" + dir.resolve("thin-classes.log"), "-jar", JAR.toString()));
            command.addAll(args);
            return command;
        }
        return nativeClient(args);
    }

    private List<String> nativeClient(List<String> args) {
        List<String> command = new ArrayList<>(List.of("env", "RKJ_SOCKET=" + daemon.socket, CLIENT.toString(),
                Integer.toString(args.size())));
        command.addAll(args);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load:file=" + fallbackLog(), "-jar", JAR.toString()));
        return command;
    }

    @Override
    CliRun rkj(String... args) {
        if (daemon == null || !daemon.process.isAlive()) {
            return super.rkj(args); // the clean-up, after the daemon
        }
        List<String> all = new ArrayList<>(List.of("--dir", data.toString()));
        all.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(dir, "out", "");
            Path err = Files.createTempFile(dir, "err", "");
            Process p = new ProcessBuilder(nativeClient(all)).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(3, TimeUnit.MINUTES), "rkj " + all + " did not finish");
            return new CliRun(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError("rkj " + all + ": " + e, e);
        }
    }
}
