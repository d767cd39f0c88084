package dev.rkj.api.cli;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The one rule for text that reaches a terminal: nothing from an image or a user may move the
 * cursor, recolour, retitle or reorder what the user reads. Control characters (C0 but tab and
 * newline, DEL, C1) and the bidirectional overrides are shown as {@code \}{@code uXXXX}, which is
 * also a valid JSON escape, so JSON output stays valid and means the same.
 *
 * <p>{@link #escape} is for a value printed inside a line (a cell, a label): it escapes tab and
 * newline too, so a value cannot forge a line. {@link #safe} wraps a whole output stream as the
 * last guard, keeping the line structure rkj itself prints.
 */
final class TerminalText {
    private TerminalText() {
    }

    /** {@code value} with every control and bidi-override character escaped; null stays "null". */
    static String escape(CharSequence value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (unsafe(c)) {
                if (out == null) {
                    out = new StringBuilder(value.length() + 8).append(value, 0, i);
                }
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? value.toString() : out.toString();
    }

    static boolean unsafe(int c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
    }

    /** {@code out}, with every unsafe character but tab and newline escaped on the way (UTF-8). */
    static PrintStream safe(PrintStream out) {
        return new PrintStream(new Escaping(out), true, StandardCharsets.UTF_8);
    }

    /** Escapes at the byte level: C0 and DEL are one byte, C1 two (C2 80..9F), bidi three (E2 80|81 xx). */
    private static final class Escaping extends FilterOutputStream {
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream(3);

        Escaping(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            b &= 0xff;
            if (pending.size() > 0 && (b & 0xc0) != 0x80) {
                release(); // not a continuation: the lead byte was malformed, b stands alone
            }
            if (pending.size() > 0) {
                pending.write(b);
                byte[] p = pending.toByteArray();
                int need = (p[0] & 0xff) == 0xc2 ? 2 : 3;
                if (p.length == 2 && (p[0] & 0xff) == 0xe2 && b != 0x80 && b != 0x81) {
                    release();
                    return;
                }
                if (p.length < need) {
                    return;
                }
                int c = new String(p, StandardCharsets.UTF_8).codePointAt(0);
                pending.reset();
                if (unsafe(c)) {
                    out.write(String.format("\\u%04x", c).getBytes(StandardCharsets.US_ASCII));
                } else {
                    out.write(p);
                }
                return;
            }
            if (b == 0xc2 || b == 0xe2) {
                pending.write(b);
            } else if ((b < 0x20 && b != '\n' && b != '\t') || b == 0x7f) {
                out.write(String.format("\\u%04x", b).getBytes(StandardCharsets.US_ASCII));
            } else {
                out.write(b);
            }
        }

        /** The held bytes were not an unsafe sequence: pass them on as they came. */
        private void release() throws IOException {
            pending.writeTo(out);
            pending.reset();
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            release();
            super.close();
        }
    }
}
