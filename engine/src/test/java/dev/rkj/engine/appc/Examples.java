package dev.rkj.engine.appc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Test inputs: the appc spec's own examples (test resources {@code appc/spec-examples}) and other test resources. */
final class Examples {
    private Examples() {
    }

    /** The bytes of the appc spec's example {@code <name>} (copied into {@code appc/spec-examples}). */
    static byte[] shared(String name) {
        return resource("spec-examples/" + name);
    }

    /** The bytes of test resource {@code appc/<name>}. */
    static byte[] resource(String name) {
        try (InputStream in = Examples.class.getResourceAsStream("/appc/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource appc/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
