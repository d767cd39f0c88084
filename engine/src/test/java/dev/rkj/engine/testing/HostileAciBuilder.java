package dev.rkj.engine.testing;

import dev.rkj.engine.image.Compression;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;

/**
 * Writes raw tar entries exactly as given, with commons-compress, so tests can craft archives no
 * honest tool makes: {@code ../x}, absolute names, escaping symlinks, hard links to outside or
 * unseen entries, devices, FIFOs, duplicates, entries outside rootfs, huge or lying sizes,
 * truncated streams. Names are never normalized. Entries are written in the order added.
 */
public final class HostileAciBuilder {
    /** The mtime of every entry: 2021-02-03T04:05:06Z. */
    public static final FileTime MTIME = FileTime.from(Instant.parse("2021-02-03T04:05:06Z"));

    private interface Item {
        void writeTo(TarArchiveOutputStream tar, CountingOutputStream raw) throws IOException;
    }

    private final List<Item> items = new ArrayList<>();
    private long cutAt = Long.MAX_VALUE;
    private boolean endMarker = true;
    private boolean stopped;

    private HostileAciBuilder() {}

    /** An empty archive (not even a manifest). */
    public static HostileAciBuilder aci() {
        return new HostileAciBuilder();
    }

    /** An archive starting with a valid manifest and a {@code rootfs/} directory. */
    public static HostileAciBuilder validStart() {
        return aci().manifest().directory("rootfs/");
    }

    /** Adds a valid {@code manifest} entry. */
    public HostileAciBuilder manifest() {
        return file("manifest", TestImages.imageManifestJson("example.com/hostile", Map.of("version", "1")));
    }

    public HostileAciBuilder directory(String name) {
        return entry(header(name, TarConstants.LF_DIR, 0755), new byte[0]);
    }

    public HostileAciBuilder file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    public HostileAciBuilder file(String name, byte[] content) {
        return file(name, content, 0644);
    }

    public HostileAciBuilder file(String name, byte[] content, int mode) {
        TarArchiveEntry header = header(name, TarConstants.LF_NORMAL, mode);
        header.setSize(content.length);
        return entry(header, content);
    }

    /** A regular file of {@code size} zero bytes, streamed (compresses to almost nothing: a bomb). */
    public HostileAciBuilder zeros(String name, long size) {
        TarArchiveEntry header = header(name, TarConstants.LF_NORMAL, 0644);
        header.setSize(size);
        items.add((tar, raw) -> {
            tar.putArchiveEntry(header);
            byte[] chunk = new byte[1 << 16];
            for (long left = size; left > 0; left -= chunk.length) {
                tar.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
            tar.closeArchiveEntry();
        });
        return this;
    }

    public HostileAciBuilder symlink(String name, String target) {
        TarArchiveEntry header = header(name, TarConstants.LF_SYMLINK, 0777);
        header.setLinkName(target);
        return entry(header, new byte[0]);
    }

    public HostileAciBuilder hardlink(String name, String target) {
        TarArchiveEntry header = header(name, TarConstants.LF_LINK, 0644);
        header.setLinkName(target);
        return entry(header, new byte[0]);
    }

    public HostileAciBuilder charDevice(String name, int major, int minor) {
        TarArchiveEntry header = header(name, TarConstants.LF_CHR, 0666);
        header.setDevMajor(major);
        header.setDevMinor(minor);
        return entry(header, new byte[0]);
    }

    public HostileAciBuilder blockDevice(String name, int major, int minor) {
        TarArchiveEntry header = header(name, TarConstants.LF_BLK, 0660);
        header.setDevMajor(major);
        header.setDevMinor(minor);
        return entry(header, new byte[0]);
    }

    public HostileAciBuilder fifo(String name) {
        return entry(header(name, TarConstants.LF_FIFO, 0644), new byte[0]);
    }

    /**
     * A directory whose name is only in a PAX extended header ({@code path=}), the way GNU tar and
     * commons-compress write long names, but written directly: commons-compress takes time
     * quadratic in a name's length to fit it into the ustar field, which makes archives of
     * thousands of nested directories slow to build.
     */
    public HostileAciBuilder paxNamedDirectory(String name) {
        items.add((tar, raw) -> {
            byte[] record = paxRecord("path", name);
            TarArchiveEntry pax = new TarArchiveEntry("PaxHeader", TarConstants.LF_PAX_EXTENDED_HEADER_LC, true);
            pax.setSize(record.length);
            pax.setLastModifiedTime(MTIME);
            byte[] block = new byte[512];
            tar.flush();
            pax.writeEntryHeader(block);
            raw.write(block);
            raw.write(record);
            raw.write(new byte[(512 - record.length % 512) % 512]);
            TarArchiveEntry directory = header("placeholder/", TarConstants.LF_DIR, 0755);
            block = new byte[512];
            directory.writeEntryHeader(block);
            raw.write(block);
        });
        return this;
    }

    /**
     * An extended header of {@code type} (PAX {@code x}/{@code g}, GNU {@code L}/{@code K}) that
     * declares {@code declaredSize} bytes and carries {@code data}, padded to a record; when
     * {@code data} is shorter than declared, the archive ends right after it and entries added
     * later are not written.
     */
    public HostileAciBuilder extendedHeader(byte type, long declaredSize, byte[] data) {
        items.add((tar, raw) -> {
            TarArchiveEntry header = new TarArchiveEntry("././@LongLink", type, true);
            header.setSize(declaredSize);
            header.setLastModifiedTime(MTIME);
            byte[] block = new byte[512];
            tar.flush();
            header.writeEntryHeader(block, org.apache.commons.compress.archivers.zip.ZipEncodingHelper.getZipEncoding("UTF-8"), true);
            raw.write(block);
            raw.write(data);
            if (data.length < declaredSize) {
                stopped = true;
            } else {
                raw.write(new byte[(512 - data.length % 512) % 512]);
            }
        });
        return this;
    }

    /** One PAX record, {@code "<length> <key>=<value>\n"}, its length counting its own digits. */
    private static byte[] paxRecord(String key, String value) {
        int body = (" " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8).length;
        int length = body + String.valueOf(body).length();
        if (String.valueOf(length).length() != String.valueOf(body).length()) {
            length++;
        }
        return (length + " " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Adds {@code header} as is, followed by {@code data} (which should match its size). */
    public HostileAciBuilder entry(TarArchiveEntry header, byte[] data) {
        items.add((tar, raw) -> {
            tar.putArchiveEntry(header);
            tar.write(data);
            tar.closeArchiveEntry();
        });
        return this;
    }

    /**
     * Adds a regular file whose header declares {@code declaredSize} bytes but which carries only
     * {@code data}; the archive ends right after (a truncated or lying archive). Entries added
     * after this one are not written.
     */
    public HostileAciBuilder lyingFile(String name, long declaredSize, byte[] data) {
        TarArchiveEntry header = header(name, TarConstants.LF_NORMAL, 0644);
        header.setSize(declaredSize);
        items.add((tar, raw) -> {
            tar.putArchiveEntry(header);
            tar.flush();
            raw.write(data);
            stopped = true;
        });
        return this;
    }

    /** Cuts the uncompressed tar after {@code bytes} bytes. */
    public HostileAciBuilder truncateTarAt(long bytes) {
        this.cutAt = bytes;
        return this;
    }

    /** Leaves out the end-of-archive records (the tar simply stops after the last entry). */
    public HostileAciBuilder withoutEndOfArchive() {
        this.endMarker = false;
        return this;
    }

    /** Writes the archive to {@code file} with {@code compression} (by commons-compress) and returns it. */
    public Path write(Path file, Compression compression) {
        stopped = false;
        try (OutputStream compressed = compress(Files.newOutputStream(file), compression)) {
            CountingOutputStream raw = new CountingOutputStream(compressed, cutAt);
            // 512-byte blocks: every record reaches `raw` as soon as it is complete
            TarArchiveOutputStream tar = new TarArchiveOutputStream(raw, 512, StandardCharsets.UTF_8.name());
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Item item : items) {
                item.writeTo(tar, raw);
                if (stopped) {
                    break;
                }
            }
            if (!stopped && endMarker) {
                tar.finish();
            }
            tar.flush();
            // not tar.close(): that would add the end records the tests may want to leave out
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write hostile archive " + file, e);
        }
        return file;
    }

    private static TarArchiveEntry header(String name, byte linkFlag, int mode) {
        TarArchiveEntry header = new TarArchiveEntry(name, linkFlag, true);
        header.setMode(mode);
        header.setUserId(0);
        header.setGroupId(0);
        header.setUserName("");
        header.setGroupName("");
        header.setLastModifiedTime(MTIME);
        return header;
    }

    private static OutputStream compress(OutputStream out, Compression compression) throws IOException {
        switch (compression) {
            case NONE:
                return out;
            case GZIP:
                return new GzipCompressorOutputStream(out);
            case BZIP2:
                return new BZip2CompressorOutputStream(out);
            case XZ:
                return new XZCompressorOutputStream(out);
            default:
                throw new AssertionError(compression);
        }
    }

    /** Passes at most {@code limit} bytes on, silently dropping the rest. */
    private static final class CountingOutputStream extends FilterOutputStream {
        private final long limit;
        private long count;

        CountingOutputStream(OutputStream out, long limit) {
            super(out);
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            long room = Math.max(0, limit - count);
            if (room > 0) {
                out.write(b, off, (int) Math.min(len, room));
            }
            count += len;
        }

        @Override
        public void close() {
            // the compressor is closed by the caller
        }
    }
}
