package dev.rkj.engine.appc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.engine.appc.wire.AppcJson;
import dev.rkj.engine.appc.wire.ImageManifestDto;
import dev.rkj.engine.appc.wire.PodManifestDto;
import java.util.List;

/**
 * Reads and writes appc manifests as JSON.
 *
 * <p>Reading validates against aci.md / pods.md / ace.md and reports <em>every</em> problem with its
 * JSON path in a {@link ManifestException}; malformed JSON is one problem with line and column.
 * Keys are matched case-insensitively (as the Go reference implementation did) and unknown keys
 * are ignored.
 *
 * <p>Writing produces canonical JSON: the spec's key spelling and order, 4-space indent, and
 * optional fields left out when empty or at their default. So {@code parse(write(m)).equals(m)},
 * and the written tree equals the input tree up to key case, unknown keys and default values
 * ({@code readOnly: false}, {@code socketActivated: false}, {@code count: 1},
 * {@code workingDirectory: "/"}, {@code readOnlyRootFS: false}, {@code recursive: true},
 * {@code mode: "0755"}, {@code uid: 0}, {@code gid: 0}, {@code errno: ""}, empty lists and maps).
 */
public final class ManifestCodec {
    private static final String IMAGE = "image manifest";
    private static final String POD = "pod manifest";

    private ManifestCodec() {
    }

    /** Reads and validates an image manifest. */
    public static ImageManifest parseImageManifest(byte[] json) throws ManifestException {
        ManifestReader reader = new ManifestReader();
        ImageManifestDto dto = dto(reader, json, ImageManifestDto.class);
        ImageManifest manifest = dto == null ? null : reader.image(dto);
        return result(reader, manifest, IMAGE);
    }

    /**
     * Reads a runnable (reified) pod manifest: as {@link #parsePodTemplate} and in addition every app
     * names its image by {@code id} and every mount names a volume of the pod (or has an appVolume).
     */
    public static PodManifest parsePodManifest(byte[] json) throws ManifestException {
        return pod(json, true);
    }

    /**
     * Reads a pod manifest that may still be a template (pods.md): app images may be given by name
     * and labels only, and mounts may name volumes that an executor binds later.
     */
    public static PodManifest parsePodTemplate(byte[] json) throws ManifestException {
        return pod(json, false);
    }

    private static PodManifest pod(byte[] json, boolean reified) throws ManifestException {
        ManifestReader reader = new ManifestReader();
        PodManifestDto dto = dto(reader, json, PodManifestDto.class);
        PodManifest manifest = dto == null ? null : reader.pod(dto, reified);
        return result(reader, manifest, reified ? POD : "pod manifest template");
    }

    /** Fails, naming each app image without an id and each mount without a volume, unless {@code m} is reified. */
    public static void requireReified(PodManifest m) throws ManifestException {
        ManifestReader reader = new ManifestReader();
        reader.pod(ManifestWriter.pod(m), true);
        if (!reader.problems().isEmpty()) {
            throw new ManifestException(POD + " that is not reified", reader.problems());
        }
    }

    /** Canonical JSON of an image manifest. */
    public static byte[] write(ImageManifest m) {
        return AppcJson.writePretty(ManifestWriter.image(m));
    }

    /** Canonical JSON of a pod manifest. */
    public static byte[] write(PodManifest m) {
        return AppcJson.writePretty(ManifestWriter.pod(m));
    }

    private static <T> T dto(ManifestReader reader, byte[] json, Class<T> type) {
        JsonNode tree = reader.tree(json);
        return tree == null ? null : reader.bind(tree, type, "$");
    }

    private static <T> T result(ManifestReader reader, T manifest, String what) throws ManifestException {
        List<Problem> problems = reader.problems();
        if (!problems.isEmpty()) {
            throw new ManifestException(what, problems);
        }
        if (manifest == null) {
            throw new IllegalStateException("the " + what + " reader returned nothing yet reported no problem");
        }
        return manifest;
    }
}
