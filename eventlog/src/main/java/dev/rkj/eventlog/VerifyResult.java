package dev.rkj.eventlog;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * The outcome of {@link Journal#verify()}.
 *
 * @param checked          how many envelopes, from index 0, were read and found intact
 * @param firstBrokenIndex the first index whose envelope is altered, missing or out of place;
 *                         empty when the whole chain is intact
 * @param problem          what is wrong there, for a person; empty when intact
 */
public record VerifyResult(long checked, OptionalLong firstBrokenIndex, String problem) {
    public VerifyResult {
        Objects.requireNonNull(firstBrokenIndex, "firstBrokenIndex");
        Objects.requireNonNull(problem, "problem");
        if (checked < 0) {
            throw new IllegalArgumentException("checked must be 0 or more, got " + checked);
        }
    }

    /** Every one of {@code checked} envelopes is intact and correctly chained. */
    public static VerifyResult intact(long checked) {
        return new VerifyResult(checked, OptionalLong.empty(), "");
    }

    /** The chain breaks at {@code index}, after {@code checked} intact envelopes. */
    public static VerifyResult brokenAt(long checked, long index, String problem) {
        return new VerifyResult(checked, OptionalLong.of(index), problem);
    }

    /** True when the whole chain is intact. */
    public boolean ok() {
        return firstBrokenIndex.isEmpty();
    }
}
