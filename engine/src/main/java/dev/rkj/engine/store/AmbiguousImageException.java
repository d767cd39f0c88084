package dev.rkj.engine.store;

import dev.rkj.engine.appc.ImageId;
import java.util.List;
import java.util.stream.Collectors;

/** An image ID prefix matches several stored images; the user must give more of the ID. */
public final class AmbiguousImageException extends ImageStoreException {
    private static final long serialVersionUID = 1L;
    private final String prefix;
    private final transient List<ImageRecord> candidates;

    AmbiguousImageException(String prefix, List<ImageRecord> candidates) {
        super("\"" + prefix + "\" matches " + candidates.size() + " images: "
                + candidates.stream().map(c -> c.id().shortString() + " (" + c.displayName() + ")")
                        .collect(Collectors.joining(", "))
                + "; give more digits of the ID");
        this.prefix = prefix;
        this.candidates = List.copyOf(candidates);
    }

    /** The prefix as given. */
    public String prefix() {
        return prefix;
    }

    /** The matching images, ordered by ID. */
    public List<ImageRecord> candidates() {
        return candidates;
    }

    /** The IDs of the matching images, ordered. */
    public List<ImageId> candidateIds() {
        return candidates.stream().map(ImageRecord::id).collect(Collectors.toList());
    }
}
