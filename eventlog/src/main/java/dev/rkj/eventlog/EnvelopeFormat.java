package dev.rkj.eventlog;

import net.openhft.chronicle.bytes.Bytes;

/**
 * The bytes of one envelope inside a Chronicle excerpt (Chronicle's byte order):
 * <pre>
 * int32 magic "RKJ1" | int64 index | int64 epochSecond | int32 nano | int32 typeVersion
 * | int32 n, aggregate id UTF-8 | int32 n, wire name UTF-8 | int32 n, payload JSON UTF-8
 * | 32 bytes previous hash | 32 bytes hash
 * </pre>
 * The payload is stored as plain UTF-8, so a queue file stays greppable.
 */
final class EnvelopeFormat {
    static final int MAGIC = 0x524B4A31; // "RKJ1"
    private static final int FIXED = 4 + 8 + 8 + 4 + 4 + 4 + 4 + 4 + 2 * Envelope.HASH_LENGTH;

    private EnvelopeFormat() {}

    /** The stored bytes are not an envelope; says which part is wrong. */
    static final class BadEnvelope extends Exception {
        BadEnvelope(String message) {
            super(message);
        }
    }

    static int length(StoredEnvelope e) {
        return FIXED + e.aggregate().length + e.typeName().length + e.payload().length;
    }

    static void write(Bytes<?> out, StoredEnvelope e) {
        out.writeInt(MAGIC);
        out.writeLong(e.index());
        out.writeLong(e.epochSecond());
        out.writeInt(e.nano());
        out.writeInt(e.typeVersion());
        writeBlock(out, e.aggregate());
        writeBlock(out, e.typeName());
        writeBlock(out, e.payload());
        out.write(e.previousHash());
        out.write(e.hash());
    }

    /** The encoded bytes of one envelope, exactly as {@link #write} puts them in an excerpt. */
    static byte[] toBytes(StoredEnvelope e) {
        Bytes<byte[]> bytes = Bytes.allocateElasticOnHeap(length(e));
        try {
            write(bytes, e);
            return bytes.toByteArray();
        } finally {
            bytes.releaseLast();
        }
    }

    static StoredEnvelope read(Bytes<?> in) throws BadEnvelope {
        long length = in.readRemaining();
        if (length < FIXED) {
            throw new BadEnvelope("the excerpt holds " + length + " bytes, fewer than any envelope");
        }
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new BadEnvelope(String.format("the excerpt does not start with an envelope (magic %08x)", magic));
        }
        long index = in.readLong();
        long epochSecond = in.readLong();
        int nano = in.readInt();
        int typeVersion = in.readInt();
        if (index < 0 || nano < 0 || nano > 999_999_999) {
            throw new BadEnvelope("the envelope's index (" + index + ") or time (nano " + nano + ") is out of range");
        }
        byte[] aggregate = readBlock(in, "aggregate id");
        byte[] typeName = readBlock(in, "wire name");
        byte[] payload = readBlock(in, "payload");
        if (in.readRemaining() != 2L * Envelope.HASH_LENGTH) {
            throw new BadEnvelope("the envelope's hashes take " + in.readRemaining() + " bytes instead of "
                    + 2 * Envelope.HASH_LENGTH);
        }
        byte[] previousHash = new byte[Envelope.HASH_LENGTH];
        byte[] hash = new byte[Envelope.HASH_LENGTH];
        in.read(previousHash);
        in.read(hash);
        return new StoredEnvelope(index, epochSecond, nano, aggregate, typeName, typeVersion, payload, previousHash, hash);
    }

    private static void writeBlock(Bytes<?> out, byte[] block) {
        out.writeInt(block.length);
        out.write(block);
    }

    private static byte[] readBlock(Bytes<?> in, String what) throws BadEnvelope {
        int n = in.readInt();
        if (n < 0 || n > in.readRemaining()) {
            throw new BadEnvelope("the envelope's " + what + " claims " + n + " bytes but " + in.readRemaining()
                    + " remain");
        }
        byte[] block = new byte[n];
        in.read(block);
        return block;
    }
}
