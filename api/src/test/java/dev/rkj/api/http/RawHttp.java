package dev.rkj.api.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 spoken byte by byte over a unix socket or TCP, for requests no well-behaved client
 * would send (broken framing, bad request lines, half-closed connections). Every exchange has a
 * deadline: a server that neither answers nor closes in time is reported as {@link Outcome.Stalled}.
 */
final class RawHttp {
    /** What came back for one request. */
    sealed interface Outcome {
        /** A complete response; {@code open}: the server kept the connection for another request. */
        record Answered(int status, Map<String, String> headers, byte[] body, boolean open) implements Outcome {
            String header(String name) {
                return headers.get(name.toLowerCase(Locale.ROOT));
            }

            String text() {
                return new String(body, StandardCharsets.UTF_8);
            }

            @Override
            public String toString() {
                String t = text();
                return status + " " + headers.getOrDefault("content-type", "-") + " "
                        + (t.length() > 300 ? t.substring(0, 300) + "..." : t);
            }
        }

        /** The server closed the connection without a (complete) response. */
        record Closed(String why) implements Outcome {}

        /** Neither a response nor a close before the deadline; {@code got}: the bytes read by then. */
        record Stalled(String got) implements Outcome {}
    }

    private final SocketAddress address;

    private RawHttp(SocketAddress address) {
        this.address = address;
    }

    static RawHttp unix(Path socket) {
        return new RawHttp(UnixDomainSocketAddress.of(socket));
    }

    static RawHttp tcp(int port) {
        return new RawHttp(new InetSocketAddress("127.0.0.1", port));
    }

    /** An open connection: requests are written and responses read in turn, each within a deadline. */
    final class Connection implements AutoCloseable {
        private final SocketChannel channel;
        private final Selector selector;
        private final ByteArrayOutputStream unread = new ByteArrayOutputStream();
        private boolean eof;

        private Connection() throws IOException {
            channel = SocketChannel.open(address);
            channel.configureBlocking(false);
            selector = Selector.open();
        }

        /**
         * Writes {@code request} (then shuts the output down when {@code halfClose}) and reads one
         * response, reading while it writes (a server may answer before it has read the body, and
         * stop reading it). {@code head}: the request was a HEAD (its response has no body).
         */
        Outcome exchange(byte[] request, boolean halfClose, boolean head, Duration within) throws IOException {
            long deadline = System.nanoTime() + within.toNanos();
            ByteBuffer out = ByteBuffer.wrap(request);
            boolean writing = out.hasRemaining();
            boolean shut = false;
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            while (true) {
                Outcome parsed = parse(unread.toByteArray(), head);
                if (parsed != null) {
                    return parsed;
                }
                if (eof) {
                    return new Outcome.Closed(describe(unread.toByteArray()));
                }
                if (!writing && halfClose && !shut) {
                    channel.shutdownOutput();
                    shut = true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return new Outcome.Stalled(describe(unread.toByteArray()));
                }
                SelectionKey key = channel.register(selector, SelectionKey.OP_READ | (writing ? SelectionKey.OP_WRITE : 0));
                selector.select(Math.max(1, left / 1_000_000));
                if (key.isValid() && key.isReadable()) {
                    in.clear();
                    int n;
                    try {
                        n = channel.read(in);
                    } catch (IOException e) {
                        eof = true;
                        continue;
                    }
                    if (n < 0) {
                        eof = true;
                    } else {
                        unread.write(in.array(), 0, n);
                    }
                }
                if (writing && key.isValid() && key.isWritable()) {
                    try {
                        channel.write(out);
                    } catch (IOException e) { // the server stopped reading and closed: read what it said
                        writing = false;
                        halfClose = false;
                        continue;
                    }
                    writing = out.hasRemaining();
                }
                selector.selectedKeys().clear();
            }
        }

        /** A complete response at the start of {@code bytes} (consumed), or null while one is not. */
        private Outcome parse(byte[] bytes, boolean head) {
            int start = 0;
            while (true) {
                int end = indexOf(bytes, start, "\r\n\r\n");
                if (end < 0) {
                    return null;
                }
                String[] lines = new String(bytes, start, end - start, StandardCharsets.ISO_8859_1).split("\r\n");
                String[] statusLine = lines[0].split(" ", 3);
                int status;
                try {
                    status = Integer.parseInt(statusLine[1]);
                } catch (RuntimeException e) {
                    return new Outcome.Closed("not an HTTP response: " + describe(bytes));
                }
                Map<String, String> headers = new LinkedHashMap<>();
                for (int i = 1; i < lines.length; i++) {
                    int colon = lines[i].indexOf(':');
                    if (colon > 0) {
                        headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
                    }
                }
                int bodyStart = end + 4;
                if (status >= 100 && status < 200 && status != 101) { // 100 Continue: the real answer follows
                    start = bodyStart;
                    continue;
                }
                boolean close = "close".equalsIgnoreCase(headers.get("connection")) || statusLine[0].equals("HTTP/1.0")
                        && !"keep-alive".equalsIgnoreCase(headers.get("connection"));
                String type = String.valueOf(headers.get("content-type"));
                if (status == 200 && (type.startsWith("application/x-ndjson") || type.startsWith("text/event-stream"))) {
                    // a stream (the events) never ends by itself: its head is the answer
                    unread.reset();
                    return new Outcome.Answered(status, headers, new byte[0], false);
                }
                byte[] body;
                int consumed;
                if (head || status == 101 || status == 204 || status == 304) {
                    body = new byte[0];
                    consumed = bodyStart;
                } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    int p = bodyStart;
                    while (true) {
                        int eol = indexOf(bytes, p, "\r\n");
                        if (eol < 0) {
                            return eofOr(bytes);
                        }
                        String size = new String(bytes, p, eol - p, StandardCharsets.ISO_8859_1);
                        int semi = size.indexOf(';');
                        int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
                        if (n == 0) {
                            int trailerEnd = indexOf(bytes, eol, "\r\n\r\n");
                            if (trailerEnd < 0) {
                                return eofOr(bytes);
                            }
                            consumed = trailerEnd + 4;
                            break;
                        }
                        if (eol + 2 + n + 2 > bytes.length) {
                            return eofOr(bytes);
                        }
                        b.write(bytes, eol + 2, n);
                        p = eol + 2 + n + 2;
                    }
                    body = b.toByteArray();
                } else if (headers.containsKey("content-length")) {
                    int n = Integer.parseInt(headers.get("content-length"));
                    if (bodyStart + n > bytes.length) {
                        return eofOr(bytes);
                    }
                    body = java.util.Arrays.copyOfRange(bytes, bodyStart, bodyStart + n);
                    consumed = bodyStart + n;
                } else { // delimited by the close
                    if (!eof) {
                        return null;
                    }
                    body = java.util.Arrays.copyOfRange(bytes, bodyStart, bytes.length);
                    consumed = bytes.length;
                    close = true;
                }
                unread.reset();
                unread.write(bytes, consumed, bytes.length - consumed);
                return new Outcome.Answered(status, headers, body, !close && !eof);
            }
        }

        private Outcome eofOr(byte[] bytes) {
            return eof ? new Outcome.Closed("cut in the middle of a response: " + describe(bytes)) : null;
        }

        /**
         * Writes {@code bytes}, shuts the output down and reads until the server closes: {@link
         * Outcome.Closed} then, {@link Outcome.Stalled} when it has not closed by the deadline.
         */
        Outcome sendAndAwaitClose(byte[] bytes, Duration within) throws IOException {
            long deadline = System.nanoTime() + within.toNanos();
            ByteBuffer out = ByteBuffer.wrap(bytes);
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            boolean shut = false;
            while (!eof) {
                if (!out.hasRemaining() && !shut) {
                    channel.shutdownOutput();
                    shut = true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return new Outcome.Stalled(describe(unread.toByteArray()));
                }
                SelectionKey key = channel.register(selector, SelectionKey.OP_READ | (out.hasRemaining() ? SelectionKey.OP_WRITE : 0));
                selector.select(Math.max(1, left / 1_000_000));
                if (key.isValid() && key.isReadable()) {
                    in.clear();
                    try {
                        int n = channel.read(in);
                        if (n < 0) {
                            eof = true;
                        } else if (unread.size() < 1 << 20) {
                            unread.write(in.array(), 0, n);
                        }
                    } catch (IOException e) {
                        eof = true;
                    }
                }
                if (out.hasRemaining() && key.isValid() && key.isWritable()) {
                    try {
                        channel.write(out);
                    } catch (IOException e) {
                        out.position(out.limit());
                        shut = true;
                    }
                }
                selector.selectedKeys().clear();
            }
            return new Outcome.Closed(describe(unread.toByteArray()));
        }

        @Override
        public void close() throws IOException {
            selector.close();
            channel.close();
        }
    }

    Connection connect() throws IOException {
        return new Connection();
    }

    /** One request on a connection of its own. */
    Outcome exchange(byte[] request, boolean halfClose, boolean head, Duration within) throws IOException {
        try (Connection c = connect()) {
            return c.exchange(request, halfClose, head, within);
        }
    }

    private static int indexOf(byte[] bytes, int from, String what) {
        byte[] w = what.getBytes(StandardCharsets.ISO_8859_1);
        outer:
        for (int i = Math.max(0, from); i <= bytes.length - w.length; i++) {
            for (int j = 0; j < w.length; j++) {
                if (bytes[i + j] != w[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String describe(byte[] bytes) {
        String s = new String(bytes, 0, Math.min(bytes.length, 300), StandardCharsets.ISO_8859_1);
        return bytes.length + " bytes" + (bytes.length == 0 ? "" : ": " + s.replace("\r\n", "\\r\\n"));
    }
}
