package dev.rkj.engine.read;

import dev.rkj.engine.pod.PodLookupException;
import dev.rkj.engine.pod.PodProjection;
import dev.rkj.engine.pod.PodState;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The pods as of one journal position, from {@link PodReader#read}. Immutable once returned.
 *
 * @param asOf     the point asked for
 * @param position the index after the last event folded (the journal's next index for a read of
 *                 the latest state)
 */
public record PodSnapshot(AsOf asOf, long position, PodProjection projection, Map<String, PodRead> settled) {
    public PodSnapshot {
        settled = Map.copyOf(settled);
    }

    /** The pods {@code rkj list} shows, oldest first. */
    public List<PodRead> list() {
        List<PodRead> reads = new ArrayList<>();
        for (PodState s : projection.list()) {
            reads.add(view(s));
        }
        return reads;
    }

    /**
     * The pod whose id starts with {@code idOrPrefix}.
     *
     * @throws PodLookupException if no listed pod or several match
     */
    public PodRead pod(String idOrPrefix) throws PodLookupException {
        return view(projection.resolvePrefix(idOrPrefix));
    }

    private PodRead view(PodState s) {
        PodRead settledRead = settled.get(s.podId());
        return settledRead != null ? settledRead : new PodRead(s, null);
    }
}
