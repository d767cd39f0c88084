package dev.rkj.engine.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.tar.TarUtils;

/**
 * A {@link TarArchiveInputStream} that refuses an extended header larger than
 * {@link #MAX_EXTENDED_HEADER_BYTES} before reading it. commons-compress reads a PAX header
 * ({@code x}, {@code g}) or a GNU long name or link ({@code L}, {@code K}) into memory whole, so
 * without this check a small compressed archive declaring a header of gigabytes of repeated bytes
 * fills the JVM's heap. The header is checked as its 512-byte record is read, before its data.
 */
final class BoundedTarInputStream extends TarArchiveInputStream {
    /**
     * The largest extended header accepted. Such headers hold names, link targets, times and a few
     * extended attributes: far below this. What they may name is itself limited by
     * {@link PathLimits}.
     */
    static final int MAX_EXTENDED_HEADER_BYTES = 1 << 20;

    private static final int TYPE_OFFSET = TarConstants.NAMELEN + TarConstants.MODELEN + TarConstants.UIDLEN
            + TarConstants.GIDLEN + TarConstants.SIZELEN + TarConstants.MODTIMELEN + TarConstants.CHKSUMLEN;
    private static final int SIZE_OFFSET = TarConstants.NAMELEN + TarConstants.MODELEN + TarConstants.UIDLEN
            + TarConstants.GIDLEN;

    BoundedTarInputStream(InputStream in) {
        super(in, StandardCharsets.UTF_8.name());
    }

    /** Thrown by {@link #getNextEntry} for an extended header over the limit; nothing of it was read. */
    static final class ExtendedHeaderTooLarge extends IOException {
        private final String kind;
        private final long declaredBytes;

        ExtendedHeaderTooLarge(String kind, long declaredBytes) {
            super(kind + " of " + declaredBytes + " bytes");
            this.kind = kind;
            this.declaredBytes = declaredBytes;
        }

        /** What the header is, e.g. "a PAX extended header". */
        String kind() {
            return kind;
        }

        long declaredBytes() {
            return declaredBytes;
        }
    }

    @Override
    protected byte[] readRecord() throws IOException {
        byte[] record = super.readRecord();
        if (record == null || record.length <= TYPE_OFFSET) {
            return record;
        }
        String kind = switch (record[TYPE_OFFSET]) {
            case TarConstants.LF_PAX_EXTENDED_HEADER_LC -> "a PAX extended header";
            case TarConstants.LF_PAX_GLOBAL_EXTENDED_HEADER -> "a PAX global header";
            case TarConstants.LF_GNUTYPE_LONGNAME -> "a GNU long-name header";
            case TarConstants.LF_GNUTYPE_LONGLINK -> "a GNU long-link header";
            default -> null;
        };
        if (kind == null) {
            return record; // an ordinary header, or a GNU sparse continuation record
        }
        long size;
        try {
            size = TarUtils.parseOctalOrBinary(record, SIZE_OFFSET, TarConstants.SIZELEN);
        } catch (IllegalArgumentException e) {
            throw new IOException(kind + " with an unreadable size field: " + e.getMessage(), e);
        }
        if (size < 0 || size > MAX_EXTENDED_HEADER_BYTES) {
            throw new ExtendedHeaderTooLarge(kind, size);
        }
        return record;
    }
}
