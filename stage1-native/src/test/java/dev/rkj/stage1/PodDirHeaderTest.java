package dev.rkj.stage1;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The C stage1's pod_dir.h spells the pod directory exactly as {@link PodDir} does. */
class PodDirHeaderTest {
    private static final Path HEADER = Path.of("src/main/c/pod_dir.h");
    private static final Pattern DEFINE = Pattern.compile("^#define\\s+POD_DIR_([A-Z0-9_]+)\\s+\"([^\"\\\\]*)\"\\s*$",
            Pattern.MULTILINE);

    @Test
    void headerNamesEveryPartOfThePodDirAsPodDirDoes() throws IOException {
        String text = Files.readString(HEADER, StandardCharsets.UTF_8);
        Map<String, String> header = new TreeMap<>();
        Matcher m = DEFINE.matcher(text);
        while (m.find()) {
            header.put(m.group(1), m.group(2));
        }
        assertEquals(PodDir.names(), header, "POD_DIR_* in " + HEADER.toAbsolutePath() + " against PodDir");
    }

    @Test
    void everyDefineOfTheHeaderIsAPlainString() throws IOException {
        long defines = Files.readAllLines(HEADER, StandardCharsets.UTF_8).stream()
                .filter(l -> l.startsWith("#define POD_DIR_")).count();
        assertEquals(PodDir.names().size(), defines, "#define POD_DIR_ lines that are not a plain string");
    }

    @Test
    void pathsFollowTheLayout() {
        PodDir dir = PodDir.of(Path.of("/data/pods"), "u");
        assertEquals(Path.of("/data/pods/u/status/app"), dir.status("app"));
        assertEquals(Path.of("/data/pods/u/logs/app"), dir.log("app"));
        assertEquals(Path.of("/data/pods/u/overlay/upper"), dir.upperDir());
        assertEquals(Path.of("/data/pods/u/overlay/work"), dir.workDir());
        assertEquals(Path.of("/data/pods/u/pod"), dir.manifest());
        assertEquals(Path.of("/data/pods/u/stage1-plan"), dir.plan());
    }
}
