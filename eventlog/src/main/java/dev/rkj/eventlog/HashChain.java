package dev.rkj.eventlog;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Computes envelope hashes (the formula is in {@link Journal}'s javadoc). One instance per
 * thread: it holds a {@link MessageDigest}.
 */
final class HashChain {
    /** The previous hash of envelope 0. */
    static final byte[] GENESIS = new byte[Envelope.HASH_LENGTH];

    private final MessageDigest sha256;
    private final ByteBuffer numbers = ByteBuffer.allocate(8 + 8 + 4 + 4); // big-endian

    HashChain() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256, which every Java runtime must provide", e);
        }
    }

    byte[] hash(byte[] previousHash, long index, long epochSecond, int nano,
                byte[] aggregate, byte[] typeName, int typeVersion, byte[] payload) {
        sha256.reset();
        sha256.update(previousHash);
        numbers.clear();
        numbers.putLong(index).putLong(epochSecond).putInt(nano).putInt(aggregate.length);
        sha256.update(numbers.array(), 0, numbers.position());
        sha256.update(aggregate);
        numbers.clear();
        numbers.putInt(typeName.length);
        sha256.update(numbers.array(), 0, numbers.position());
        sha256.update(typeName);
        numbers.clear();
        numbers.putInt(typeVersion).putInt(payload.length);
        sha256.update(numbers.array(), 0, numbers.position());
        sha256.update(payload);
        return sha256.digest();
    }

    byte[] hash(StoredEnvelope e) {
        return hash(e.previousHash(), e.index(), e.epochSecond(), e.nano(), e.aggregate(), e.typeName(),
                e.typeVersion(), e.payload());
    }
}
