package dev.rkj.engine.appc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test inputs: the shared appc examples ({@code <repo root>/../shared/appc/examples}) and test resources. */
final class Examples {
    private Examples() {
    }

    /** The bytes of {@code <repo root>/../shared/appc/examples/<name>}. */
    static byte[] shared(String name) {
        Path dir = sharedDir();
        try {
            return Files.readAllBytes(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read example " + dir.resolve(name), e);
        }
    }

    private static Path sharedDir() {
        // Surefire runs in the module directory (engine/); the repository root is its parent.
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            Path candidate = p.resolve("../shared/appc/examples").normalize();
            if (Files.isDirectory(candidate) && Files.exists(p.resolve("pom.xml"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no ../shared/appc/examples next to the repository root above " + here);
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
