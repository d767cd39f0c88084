package dev.rkj.engine.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * Checks an image manifest before {@link AciWriter} puts it in an archive. The appc model
 * supplies the real validator; {@link #jsonObject()} only checks that it is a JSON object.
 */
@FunctionalInterface
public interface ManifestValidator {
    /** Throws when {@code manifestJson} (the raw bytes of the {@code manifest} file) is not acceptable. */
    void validate(byte[] manifestJson) throws InvalidManifestException;

    /** Accepts any well-formed JSON object. */
    static ManifestValidator jsonObject() {
        ObjectMapper mapper = new ObjectMapper();
        return json -> {
            JsonNode node;
            try {
                node = mapper.readTree(json);
            } catch (IOException e) {
                throw new InvalidManifestException("the manifest is not valid JSON: " + e.getMessage(), e);
            }
            if (node == null || !node.isObject()) {
                throw new InvalidManifestException("the manifest must be a JSON object");
            }
        };
    }
}
