package dev.rkj.engine.read;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Objects;

/**
 * One line of an app's log as rkj-stage1 writes it, the CRI container log format (Kubernetes',
 * podman's {@code k8s-file}): {@code <RFC 3339 time, UTC> <stdout|stderr> <F|P> <content>}. F
 * ends a line of the app's output; P is a part that the stream's next record continues.
 *
 * <p>A line that is not such a record (a log written before rkj wrote records) is kept as it is:
 * {@link #time} null, {@link Stream#STDOUT}, a whole line.
 *
 * @param time    when stage1 read the content, null for a line that is not a record
 * @param stream  the stream the app wrote it to
 * @param partial true (P) when the content does not end a line
 * @param content the bytes the app wrote, without the newline
 */
public record LogRecord(Instant time, Stream stream, boolean partial, byte[] content) {
    /** The app's output stream. */
    public enum Stream { STDOUT, STDERR }

    private static final byte[] STDOUT = " stdout ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STDERR = " stderr ".getBytes(StandardCharsets.US_ASCII);

    public LogRecord {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(content, "content");
    }

    /** A line that is not a record: shown whole, on stdout. */
    public static LogRecord raw(byte[] line) {
        return new LogRecord(null, Stream.STDOUT, false, line);
    }

    /**
     * Reads one line of a log ({@code len} bytes at {@code off}, without its newline): a record,
     * or {@link #raw} when it is not one.
     */
    public static LogRecord parse(byte[] buf, int off, int len) {
        byte[] line = Arrays.copyOfRange(buf, off, off + len);
        int space = indexOf(line, (byte) ' ', 0);
        // "<time> stdout F " : the stream, a space, the tag, a space
        if (space < 0 || line.length < space + STDOUT.length + 2 || line[space + STDOUT.length + 1] != ' ') {
            return raw(line);
        }
        Stream stream;
        if (Arrays.equals(line, space, space + STDOUT.length, STDOUT, 0, STDOUT.length)) {
            stream = Stream.STDOUT;
        } else if (Arrays.equals(line, space, space + STDERR.length, STDERR, 0, STDERR.length)) {
            stream = Stream.STDERR;
        } else {
            return raw(line);
        }
        byte tag = line[space + STDOUT.length];
        if (tag != 'F' && tag != 'P') {
            return raw(line);
        }
        Instant time;
        try {
            time = Instant.parse(new String(line, 0, space, StandardCharsets.US_ASCII));
        } catch (DateTimeParseException e) {
            return raw(line);
        }
        return new LogRecord(time, stream, tag == 'P',
                Arrays.copyOfRange(line, space + STDOUT.length + 2, line.length));
    }

    /** Whether this is a record (it has a time), not a line kept as it was. */
    public boolean isRecord() {
        return time != null;
    }

    /** The content as text (UTF-8; bytes that are not become U+FFFD). */
    public String text() {
        return new String(content, StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] b, byte c, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogRecord r && Objects.equals(time, r.time) && stream == r.stream
                && partial == r.partial && Arrays.equals(content, r.content);
    }

    @Override
    public int hashCode() {
        return Objects.hash(time, stream, partial, Arrays.hashCode(content));
    }

    @Override
    public String toString() {
        return (time == null ? "raw" : time + " " + stream + (partial ? " P " : " F ")) + text();
    }
}
