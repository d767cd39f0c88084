package dev.rkj.eventlog;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** Damages stored journal bytes the way a hand edit or a bad disk would. */
final class Tamper {
    private Tamper() {}

    /** A copy of a JSON payload with one letter inside a string value changed (same length, still valid JSON). */
    static byte[] alterOneCharacter(byte[] payload) {
        byte[] altered = payload.clone();
        String json = new String(payload, UTF_8);
        int at = json.indexOf(":\"") + 2; // first character of the first string value
        if (at < 2 || at >= altered.length - 1) {
            throw new IllegalArgumentException("no string value to alter in " + json);
        }
        altered[at] = (byte) (altered[at] == 'X' ? 'Y' : 'X');
        return altered;
    }

    /** Where some bytes sit in a file. */
    record Hit(Path file, long position) {}

    /** The one place in these files where {@code needle} occurs; fails if it is absent or not unique. */
    static Hit findUnique(List<Path> files, byte[] needle) throws IOException {
        List<Hit> hits = new ArrayList<>();
        for (Path file : files) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
                int limit = map.limit() - needle.length;
                outer:
                for (int i = 0; i <= limit; i++) {
                    if (map.get(i) != needle[0]) {
                        continue;
                    }
                    for (int j = 1; j < needle.length; j++) {
                        if (map.get(i + j) != needle[j]) {
                            continue outer;
                        }
                    }
                    hits.add(new Hit(file, i));
                }
            }
        }
        if (hits.size() != 1) {
            throw new IllegalStateException("expected the bytes once in " + files + ", found " + hits);
        }
        return hits.get(0);
    }

    static byte[] read(Hit at, int length) throws IOException {
        try (FileChannel channel = FileChannel.open(at.file(), StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(length);
            channel.read(buffer, at.position());
            return buffer.array();
        }
    }

    static void write(Path file, long position, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(bytes), position);
            channel.force(false);
        }
    }

    static int readIntLe(Path file, long position) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(buffer, position);
            return buffer.getInt(0);
        }
    }

    static void writeIntLe(Path file, long position, int value) throws IOException {
        write(file, position, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
    }

    static void truncate(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }

    /** The stored form of an envelope, as the Chronicle journal writes it. */
    static StoredEnvelope stored(Envelope e) {
        return new StoredEnvelope(e.index(), e.time().getEpochSecond(), e.time().getNano(),
                e.aggregateId().getBytes(UTF_8), e.type().name().getBytes(UTF_8), e.type().version(),
                e.payloadJson().getBytes(UTF_8), e.previousHash(), e.hash());
    }
}
