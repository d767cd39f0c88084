package dev.rkj.eventlog;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Where a pruned journal starts: {@code journal/anchor}, one line
 * {@code rkj-journal-anchor/1 <first index> <hash of the event before it, hex>}, written (temp
 * file, fsync, rename) before any queue file is deleted. The chain is verified from the first
 * index, trusting that hash as the previous one; the events before it are gone.
 *
 * @param firstIndex   the oldest index still held
 * @param previousHash the hash of event {@code firstIndex - 1}, as it was when it was pruned
 */
public record JournalAnchor(long firstIndex, byte[] previousHash) {
    static final String FILE = "anchor";
    private static final String MAGIC = "rkj-journal-anchor/1";

    public JournalAnchor {
        if (firstIndex < 1) {
            throw new IllegalArgumentException("an anchor lies after at least one pruned event, got index " + firstIndex);
        }
        if (previousHash.length != Envelope.HASH_LENGTH) {
            throw new IllegalArgumentException("anchor hash of " + previousHash.length + " bytes");
        }
        previousHash = previousHash.clone();
    }

    @Override
    public byte[] previousHash() {
        return previousHash.clone();
    }

    /** The hash trusted, in hex. */
    public String previousHashHex() {
        return HexFormat.of().formatHex(previousHash);
    }

    /** The anchor of the journal in {@code dir}, or empty if nothing was ever pruned there. */
    static Optional<JournalAnchor> read(Path dir) throws JournalException {
        Path file = dir.resolve(FILE);
        String text;
        try {
            text = Files.readString(file, US_ASCII).strip();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new JournalException("journal anchor file " + file + " cannot be read (" + Messages.describe(e)
                    + "): check its permissions and the disk", e);
        }
        String[] parts = text.split(" ");
        try {
            if (parts.length != 3 || !parts[0].equals(MAGIC)) {
                throw new IllegalArgumentException("not " + MAGIC);
            }
            return Optional.of(new JournalAnchor(Long.parseLong(parts[1]), HexFormat.of().parseHex(parts[2])));
        } catch (IllegalArgumentException e) {
            throw new JournalException("journal anchor file " + file + " is damaged (" + Messages.oneLine(e.getMessage())
                    + "): the journal's pruned start cannot be trusted; restore it from a backup", e);
        }
    }

    void write(Path dir) throws JournalException {
        Path file = dir.resolve(FILE);
        Path temp = dir.resolve(FILE + ".tmp");
        byte[] line = (MAGIC + " " + firstIndex + " " + previousHashHex() + "\n").getBytes(US_ASCII);
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(line);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } catch (IOException e) {
            throw new JournalException("journal anchor file " + file + " cannot be written (" + Messages.describe(e)
                    + "): check free space and permissions in " + dir + "; nothing was pruned", e);
        }
    }
}
