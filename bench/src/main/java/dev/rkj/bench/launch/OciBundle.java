package dev.rkj.bench.launch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An OCI bundle for the runc and crun baselines: the runtime's own default spec ({@code runc spec},
 * or {@code crun spec} when runc is missing), with {@code terminal: false},
 * {@code args: ["/bin/true"]} and the given root filesystem, writable.
 */
public final class OciBundle {
    private OciBundle() {}

    /**
     * Writes {@code <bundle>/config.json}.
     *
     * @param specTool runc or crun
     * @throws IOException if the spec tool fails or its output is not the JSON expected
     */
    public static Path create(Path specTool, Path bundle, Path rootfs) throws IOException {
        Files.createDirectories(bundle);
        boolean runc = specTool.getFileName().toString().equals("runc");
        List<String> command = runc ? List.of(specTool.toString(), "spec", "--bundle", bundle.toString())
                : List.of(specTool.toString(), "spec", "--bundle=" + bundle);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + specTool + " wrote the OCI spec", e);
        }
        Path config = bundle.resolve("config.json");
        ObjectMapper json = new ObjectMapper();
        ObjectNode spec = (ObjectNode) json.readTree(config.toFile());
        ObjectNode process = requireObject(spec, "process", config);
        process.put("terminal", false);
        process.putArray("args").add("/bin/true");
        ObjectNode root = requireObject(spec, "root", config);
        root.put("path", rootfs.toAbsolutePath().toString());
        root.put("readonly", false);
        json.writerWithDefaultPrettyPrinter().writeValue(config.toFile(), spec);
        return config;
    }

    private static ObjectNode requireObject(ObjectNode spec, String field, Path config) throws IOException {
        if (!(spec.get(field) instanceof ObjectNode node)) {
            throw new IOException(config + " has no \"" + field + "\" object: not the OCI spec expected");
        }
        return node;
    }
}
