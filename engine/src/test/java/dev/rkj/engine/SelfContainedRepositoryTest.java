package dev.rkj.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The repository needs nothing beside it: no test and no build file reads the sibling {@code shared} directory (the
 * appc spec's examples are copied into {@code src/test/resources/appc/spec-examples}) or a path of
 * the machine it was written on. A fresh {@code git clone} alone builds and passes.
 */
class SelfContainedRepositoryTest {
    /** A reference out of the repository: the sibling {@code shared} directory or a workspace path. */
    private static final Pattern OUTSIDE = Pattern.compile("\\.\\./" + "shared\\b|\"/work/");

    @Test
    void noTestOrBuildFileReadsOutsideTheRepository() throws IOException {
        Path root = repositoryRoot();
        Set<String> offenders = new TreeSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(Files::isRegularFile).filter(f -> inScope(root.relativize(f))).forEach(f -> {
                List<String> lines = lines(f);
                for (int i = 0; i < lines.size(); i++) {
                    if (OUTSIDE.matcher(lines.get(i)).find() && !f.endsWith("SelfContainedRepositoryTest.java")) {
                        offenders.add(root.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            });
        }
        assertTrue(offenders.isEmpty(), "files that reach outside the repository (copy what they need into it): "
                + offenders);
    }

    /** Test sources and resources, poms, scripts and CI files; never build output or git's own files. */
    private static boolean inScope(Path relative) {
        String path = relative.toString().replace('\\', '/');
        if (path.startsWith(".git/") || path.contains("/target/") || path.startsWith("target/")) {
            return false;
        }
        return path.contains("/src/test/") || path.endsWith("pom.xml") || path.startsWith("scripts/")
                || path.startsWith(".ci/");
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (java.nio.charset.MalformedInputException e) {
            return List.of(); // a binary fixture
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The directory holding the parent pom: surefire runs in the module's directory. */
    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("engine")))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "no repository root above " + Path.of("").toAbsolutePath());
        return dir;
    }
}
