package dev.rkj.eventlog;

import java.util.Arrays;

/**
 * Checks stored envelopes, fed in storage order from index 0 (or from a pruned journal's anchor),
 * against the hash chain.
 */
final class ChainVerifier {
    private final HashChain chain = new HashChain();
    private final long first;
    private long expected;
    private byte[] previousHash = HashChain.GENESIS;

    /** From index 0. */
    ChainVerifier() {
        this(0, HashChain.GENESIS);
    }

    /** From {@code first}, trusting {@code previousHash} as the hash of the (pruned) event before it. */
    ChainVerifier(long first, byte[] previousHash) {
        this.first = first;
        this.expected = first;
        this.previousHash = previousHash.clone();
    }
    private VerifyResult broken;
    private long watched = -1;
    private byte[] watchedHash;

    /** Keeps the hash of the envelope at {@code index}, for {@link #watchedHash()}. */
    void watch(long index) {
        watched = index;
    }

    /** The hash of the watched envelope if it was accepted intact, else null. */
    byte[] watchedHash() {
        return watchedHash;
    }

    /** Checks the next stored envelope; false once the chain is broken (later calls are ignored). */
    boolean accept(StoredEnvelope e) {
        if (broken != null) {
            return false;
        }
        if (e.index() != expected) {
            return breakHere(e.index() > expected
                    ? "event " + expected + " is missing: the next stored event is " + e.index()
                            + " (removed, or events reordered)"
                    : "event " + expected + "'s place holds event " + e.index() + " (events reordered or duplicated)");
        }
        if (!Arrays.equals(e.previousHash(), previousHash)) {
            return breakHere("its previous hash does not match event " + (expected - 1)
                    + "'s hash (an event was altered, inserted or removed)");
        }
        if (!Arrays.equals(chain.hash(e), e.hash())) {
            return breakHere("its contents do not match its hash: the event was altered after it was written");
        }
        previousHash = e.hash();
        if (expected == watched) {
            watchedHash = e.hash();
        }
        expected++;
        return true;
    }

    /** Records that the envelope at the expected index cannot be read at all. */
    void unreadable(String problem) {
        if (broken == null) {
            breakHere(problem);
        }
    }

    /** The index the next stored envelope must have. */
    long expected() {
        return expected;
    }

    boolean isBroken() {
        return broken != null;
    }

    VerifyResult result() {
        return broken != null ? broken : VerifyResult.intact(expected - first);
    }

    private boolean breakHere(String problem) {
        broken = VerifyResult.brokenAt(expected - first, expected, problem);
        return false;
    }
}
