package dev.rkj.api.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link ThinCliIT}'s tests with the native client ({@code stage1-native/target/rkj-client}) as the
 * {@code rkj} launcher runs it: no JVM at all when the daemon takes the command, the jar (with its
 * class log, so the same checks hold) when it does not.
 */
class NativeThinCliIT extends ThinCliIT {
    @BeforeAll
    void theClientIsBuilt() {
        assertTrue(Files.isExecutable(NATIVE_CLIENT), "stage1-native builds " + NATIVE_CLIENT);
    }

    @Override
    List<String> command(int n, String... args) {
        List<String> command = new ArrayList<>(List.of(NATIVE_CLIENT.toString(), Integer.toString(args.length)));
        command.addAll(List.of(args));
        command.addAll(java(n));
        return command;
    }
}
