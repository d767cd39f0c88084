package dev.rkj.engine.store;

import dev.rkj.engine.appc.ManifestCodec;
import dev.rkj.engine.appc.ManifestException;
import dev.rkj.engine.appc.Problem;
import dev.rkj.engine.image.InvalidManifestException;
import dev.rkj.engine.image.ManifestValidator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Validates image manifests with the appc model ({@link ManifestCodec}), for {@code AciWriter}:
 * the message lists every problem with its JSON path, on one line.
 */
public final class AppcManifestValidator implements ManifestValidator {
    @Override
    public void validate(byte[] manifestJson) throws InvalidManifestException {
        try {
            ManifestCodec.parseImageManifest(manifestJson);
        } catch (ManifestException e) {
            throw new InvalidManifestException(describe(e.problems()), e);
        }
    }

    /** {@code N problems: $.a: ...; $.b: ...}. */
    static String describe(List<Problem> problems) {
        return problems.size() + (problems.size() == 1 ? " problem: " : " problems: ")
                + problems.stream().map(Problem::toString).collect(Collectors.joining("; "));
    }
}
