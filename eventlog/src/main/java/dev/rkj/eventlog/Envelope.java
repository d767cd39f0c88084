package dev.rkj.eventlog;

import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One stored event, as appended and as replayed.
 *
 * <p>{@code index} is dense: 0, 1, 2, ... in append order across every process sharing the
 * journal. {@code hash} is SHA-256 over {@code previousHash} and the canonical bytes of this
 * envelope's index, time, aggregate id, wire type and payload (see {@link Journal}); the first
 * envelope's {@code previousHash} is 32 zero bytes.
 *
 * @param index        the dense position in the journal, from 0
 * @param time         when it was appended (taken under the append lock)
 * @param aggregateId  the pod, image or other aggregate the event belongs to
 * @param type         the event's wire type
 * @param payloadJson  the event as stored: JSON written by {@link Json#mapper()}
 * @param event        the decoded record, or an {@link UnknownEvent} if this build does not know the type
 * @param previousHash the hash of the envelope before (32 zero bytes for index 0)
 * @param hash         this envelope's hash
 */
public record Envelope(long index, Instant time, String aggregateId, WireType type,
                       String payloadJson, Object event, byte[] previousHash, byte[] hash) {
    /** Length in bytes of {@link #hash()} and {@link #previousHash()}: SHA-256. */
    public static final int HASH_LENGTH = 32;

    public Envelope {
        if (index < 0) {
            throw new IllegalArgumentException("envelope index must be 0 or more, got " + index);
        }
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(aggregateId, "aggregateId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payloadJson, "payloadJson");
        Objects.requireNonNull(event, "event");
        previousHash = checkedCopy(previousHash, "previousHash");
        hash = checkedCopy(hash, "hash");
    }

    private static byte[] checkedCopy(byte[] bytes, String what) {
        Objects.requireNonNull(bytes, what);
        if (bytes.length != HASH_LENGTH) {
            throw new IllegalArgumentException(what + " must be " + HASH_LENGTH + " bytes (SHA-256), got " + bytes.length);
        }
        return bytes.clone();
    }

    /** A copy of the previous envelope's hash. */
    @Override
    public byte[] previousHash() {
        return previousHash.clone();
    }

    /** A copy of this envelope's hash. */
    @Override
    public byte[] hash() {
        return hash.clone();
    }

    /** This envelope's hash in lower-case hex. */
    public String hashHex() {
        return HexFormat.of().formatHex(hash);
    }

    /** Compares every field; the hashes by content. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Envelope e
                && index == e.index
                && time.equals(e.time)
                && aggregateId.equals(e.aggregateId)
                && type.equals(e.type)
                && payloadJson.equals(e.payloadJson)
                && event.equals(e.event)
                && Arrays.equals(previousHash, e.previousHash)
                && Arrays.equals(hash, e.hash);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, time, aggregateId, type, payloadJson, event) * 31 + Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return "Envelope[" + index + " " + time + " " + aggregateId + " " + type + " " + payloadJson
                + " hash=" + hashHex().substring(0, 16) + "…]";
    }
}
