package dev.rkj.engine.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * Runs CNI plugin binaries as the CNI spec says: the plugin named by the configuration's
 * {@code type}, found in the plugin directories, with {@code CNI_COMMAND}, {@code CNI_CONTAINERID},
 * {@code CNI_NETNS}, {@code CNI_IFNAME}, {@code CNI_ARGS} and {@code CNI_PATH} in its environment
 * and the configuration on stdin; its result (or error) is the JSON on its stdout.
 */
public final class CniPlugins {
    /** Reads plugins' stderr. */
    private static final java.util.concurrent.ExecutorService STDERR_READERS = dev.rkj.engine.DaemonPools.cached("rkj-cni-stderr");

    /** Where Debian's containernetworking-plugins are, then the upstream place. */
    public static final List<Path> DEFAULT_DIRS = List.of(Path.of("/usr/lib/cni"), Path.of("/opt/cni/bin"));
    /** The PATH plugins get (they run iptables, ip...). */
    private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final List<Path> dirs;

    /** @param dirs the plugin directories ({@code CNI_PATH}), first first */
    public CniPlugins(List<Path> dirs) {
        this.dirs = List.copyOf(dirs);
    }

    /** What one call is about. */
    record Call(String command, String containerId, Path netns, String ifName, String args) {}

    /**
     * Runs the plugin of {@code config} for {@code call}.
     *
     * @return its stdout as JSON (ADD's result), or null when it printed nothing (DEL, CHECK)
     * @throws CniException naming the network, the plugin, the command and what the plugin said
     */
    JsonNode run(Call call, String network, ObjectNode config) throws CniException {
        String type = config.get("type").asText();
        Path binary = dirs.stream().map(d -> d.resolve(type)).filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new CniException("network " + network + ": no CNI plugin " + type + " in "
                        + dirs.stream().map(Path::toString).collect(Collectors.joining(":"))
                        + ": install it (Debian: apt-get install containernetworking-plugins)"));
        ProcessBuilder pb = new ProcessBuilder(binary.toString());
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", PATH);
        env.put("CNI_COMMAND", call.command());
        env.put("CNI_CONTAINERID", call.containerId());
        env.put("CNI_NETNS", call.netns() == null ? "" : call.netns().toString());
        env.put("CNI_IFNAME", call.ifName());
        env.put("CNI_ARGS", call.args() == null ? "" : call.args());
        env.put("CNI_PATH", dirs.stream().map(Path::toString).collect(Collectors.joining(":")));
        String what = "network " + network + ": CNI " + call.command() + " of plugin " + type;
        byte[] out;
        int status;
        try {
            Process p = pb.redirectError(ProcessBuilder.Redirect.PIPE).start();
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()), STDERR_READERS);
            try (OutputStream in = p.getOutputStream()) {
                in.write(NetworkConfig.JSON.writeValueAsBytes(config));
            } catch (IOException closed) {
                // the plugin ended without reading all of its configuration: its status and output say why
            }
            try (InputStream stdout = p.getInputStream()) {
                out = stdout.readAllBytes();
            }
            status = p.waitFor();
            if (status != 0) {
                throw new CniException(what + " failed: " + message(out, err.join(), status));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CniException(what + " was interrupted", e);
        } catch (CniException e) {
            throw e;
        } catch (IOException e) {
            throw new CniException(what + ": cannot run " + binary + ": " + e.getMessage(), e);
        }
        if (out.length == 0 || new String(out, StandardCharsets.UTF_8).isBlank()) {
            return null;
        }
        try {
            return NetworkConfig.JSON.readTree(out);
        } catch (IOException e) {
            throw new CniException(what + " printed a result that is not JSON: " + oneLine(out), e);
        }
    }

    /** The spec's error object ({@code msg}, {@code details}), else what the plugin printed. */
    private static String message(byte[] out, byte[] err, int status) {
        try {
            JsonNode e = NetworkConfig.JSON.readTree(out);
            if (e != null && e.hasNonNull("msg")) {
                String details = e.path("details").asText("");
                return e.get("msg").asText() + (details.isEmpty() ? "" : " (" + details + ")");
            }
        } catch (IOException ignored) {
            // not the spec's error object: say what it printed
        }
        String said = oneLine(out) + " " + oneLine(err);
        return said.isBlank() ? "exit status " + status : said.strip();
    }

    private static String oneLine(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
        return s.length() > 400 ? s.substring(0, 400) + "..." : s;
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
