package dev.rkj.api.http;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Malformed requests for the daemon's fuzz test, as raw bytes: never a valid pod creation, never a
 * valid image. Request {@code n} of seed {@code s} is made from a {@link Random} of its own, so it
 * is the same whatever order requests are sent in, and one can be replayed alone.
 */
final class Fuzz {
    /** Where a request goes: the unix socket, or TCP with or without the bearer token. */
    enum Target { UNIX, TCP, TCP_WITHOUT_TOKEN }

    /**
     * One request. {@code halfClose}: the client shuts its output after it (the request may be cut
     * short); {@code head}: a HEAD; {@code upgrade}: a WebSocket upgrade, followed by {@code frames}
     * if the server switches protocols.
     */
    record Request(int n, String kind, Target target, byte[] bytes, boolean halfClose, boolean head, byte[] frames) {
        @Override
        public String toString() {
            String s = new String(bytes, 0, Math.min(bytes.length, 400), StandardCharsets.ISO_8859_1)
                    .replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
            return "#" + n + " " + kind + " via " + target + (halfClose ? " (half-closed)" : "") + " " + bytes.length
                    + " bytes: " + s + (bytes.length > 400 ? "..." : "");
        }
    }

    static final int HUGE = 10 << 20;
    private static final List<String> POD_FIELDS = List.of("image", "exec", "args", "env", "hostname", "net", "memory",
            "cpu", "capsRetain", "capsRemove", "pidsLimit", "insecureOptions", "start", "name", "user", "group",
            "workingDir", "timeout", "force", "path");
    private static final List<String> ROUTES = List.of("/v1/pods", "/v1/pods/gc", "/v1/pods/%s", "/v1/pods/%s/start",
            "/v1/pods/%s/stop", "/v1/images", "/v1/images/gc", "/v1/images/%s", "/v1/images/%s/manifest", "/v1/journal",
            "/v1/journal/verify", "/v1/openapi.json", "/v1/events", "/v1/%s", "/%s", "/metrics");
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD",
            "TRACE", "CONNECT", "get", "FOO", "G\0ET", "POST ", "PRI", "M".repeat(300), "");
    private static final List<String> TYPES = List.of("application/json", "application/json; charset=latin1",
            "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "multipart/form-data",
            "application/xml", "application/json, text/plain", "*/*", "application/", ";", "\u00e9/\u00e9",
            "application/json; boundary=\"", "application/problem+json", "application/x-ndjson");
    /** Paths that exist and are no image; some never end (a fetch must not read them to the end). */
    private static final List<String> NOT_IMAGES = List.of("/etc/passwd", "/dev/null", "/dev/zero", "/", "/proc/self/status",
            "/tmp", "relative.aci", "", "..", "/etc/shadow/..", "http://127.0.0.1:1/x.aci", "docker://busybox",
            "file:///etc/passwd", "example.com/fuzz:1.0", "sha512-", "sha512-" + "0".repeat(128));

    private Fuzz() {}

    static Request request(long seed, int n) {
        Random r = new Random(seed * 1_000_003L + n);
        int k = r.nextInt(100);
        Target target = r.nextInt(10) < 7 ? Target.UNIX : r.nextInt(4) == 0 ? Target.TCP_WITHOUT_TOKEN : Target.TCP;
        if (k < 20) {
            return plain(n, "pod-body", target, "POST", "/v1/pods", "application/json", podBody(r));
        } else if (k < 28) {
            String route = List.of("/v1/images", "/v1/pods/gc", "/v1/pods/" + badId(r) + "/stop",
                    "/v1/pods/" + badId(r) + "/start", "/v1/images/gc", "/v1/journal/verify").get(r.nextInt(6));
            return plain(n, "other-body", target, "POST", route, "application/json", otherBody(r));
        } else if (k < 29) {
            return huge(n, target, r);
        } else if (k < 40) {
            return plain(n, "path", target, r.nextBoolean() ? "GET" : "DELETE", path(r), null, null);
        } else if (k < 45) {
            String m = METHODS.get(r.nextInt(METHODS.size()));
            String route = ROUTES.get(r.nextInt(ROUTES.size())).replace("%s", badId(r));
            return plain(n, "method", target, m, route, r.nextBoolean() ? "application/json" : null,
                    r.nextBoolean() ? json(r, 2) : null);
        } else if (k < 52) {
            return plain(n, "content-type", target, "POST", r.nextBoolean() ? "/v1/pods" : "/v1/images",
                    r.nextInt(5) == 0 ? null : TYPES.get(r.nextInt(TYPES.size())),
                    r.nextInt(5) == 0 ? "a=b&c=%zz" : r.nextInt(4) == 0 ? "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--" : podBody(r));
        } else if (k < 62) {
            String route = List.of("/v1/journal", "/v1/pods", "/v1/events", "/v1/images", "/v1/pods/" + badId(r)).get(r.nextInt(5));
            return plain(n, "query", target, "GET", route + "?" + junkQuery(r), null, null);
        } else if (k < 71) {
            return badHeaders(n, target, r);
        } else if (k < 77) {
            return brokenChunks(n, target, r);
        } else if (k < 82) {
            return cutShort(n, target, r);
        } else if (k < 89) {
            return webSocket(n, target, r);
        } else if (k < 91) {
            byte[] junk = new byte[1 + r.nextInt(2000)];
            r.nextBytes(junk);
            return new Request(n, "garbage", target, junk, true, false, null);
        } else {
            String route = ROUTES.get(r.nextInt(ROUTES.size())).replace("%s", badId(r));
            String m = List.of("GET", "DELETE", "POST").get(r.nextInt(3));
            return plain(n, "bad-id", target, m, route, m.equals("POST") ? "application/json" : null,
                    m.equals("POST") && r.nextBoolean() ? "{}" : null);
        }
    }

    /** A well-framed request, with Host, the target's Authorization and, for a body, Content-Length. */
    private static Request plain(int n, String kind, Target target, String method, String uri, String type, String body) {
        List<String> headers = new ArrayList<>();
        if (type != null) {
            headers.add("Content-Type: " + type);
        }
        byte[] b = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
        if (b != null) {
            headers.add("Content-Length: " + b.length);
        }
        return new Request(n, kind, target, frame(target, method + " " + uri + " HTTP/1.1", headers, b), false,
                method.equals("HEAD"), null);
    }

    static byte[] frame(Target target, String requestLine, List<String> headers, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder head = new StringBuilder(requestLine).append("\r\nHost: rkj\r\n");
        if (target == Target.TCP) {
            head.append("Authorization: Bearer ").append(DaemonFuzzIT.TOKEN).append("\r\n");
        }
        for (String h : headers) {
            head.append(h).append("\r\n");
        }
        head.append("\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        if (body != null) {
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    private static Request huge(int n, Target target, Random r) {
        byte[] big = new byte[HUGE + r.nextInt(1000)];
        java.util.Arrays.fill(big, (byte) 'x');
        byte[] prefix = "{\"image\":\"".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(prefix, 0, big, 0, prefix.length);
        String route = r.nextBoolean() ? "/v1/pods" : List.of("/v1/images", "/v1/pods/gc", "/v1/nothing", "/v1/journal/verify")
                .get(r.nextInt(4));
        return switch (r.nextInt(4)) {
            case 0 -> new Request(n, "huge", target, frame(target, "POST " + route + " HTTP/1.1",
                    List.of("Content-Type: application/json", "Content-Length: " + big.length), big), false, false, null);
            case 1 -> {
                ByteArrayOutputStream chunked = new ByteArrayOutputStream();
                for (int off = 0; off < big.length; off += 65536) {
                    int len = Math.min(65536, big.length - off);
                    chunked.writeBytes((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    chunked.write(big, off, len);
                    chunked.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                chunked.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                yield new Request(n, "huge-chunked", target, frame(target, "POST " + route + " HTTP/1.1",
                        List.of("Content-Type: application/json", "Transfer-Encoding: chunked"), chunked.toByteArray()),
                        false, false, null);
            }
            case 2 -> new Request(n, "huge-length", target, frame(target, "POST " + route + " HTTP/1.1",
                    List.of("Content-Type: application/json", "Content-Length: " + (r.nextBoolean() ? "99999999999" : "10485760")),
                    "{\"image\":".getBytes(StandardCharsets.US_ASCII)), true, false, null);
            default -> {
                StringBuilder deep = new StringBuilder();
                int depth = 10_000 + r.nextInt(200_000);
                String open = r.nextBoolean() ? "[" : "{\"a\":";
                deep.append(open.repeat(depth));
                if (r.nextBoolean()) {
                    deep.append("1").append((open.equals("[") ? "]" : "}").repeat(depth));
                }
                yield plain(n, "deep", target, "POST", route, "application/json", deep.toString());
            }
        };
    }

    private static Request badHeaders(int n, Target target, Random r) {
        String route = ROUTES.get(r.nextInt(ROUTES.size())).replace("%s", badId(r));
        String method = r.nextBoolean() ? "GET" : "POST";
        List<String> headers = new ArrayList<>();
        String body = method.equals("POST") ? podBody(r) : null;
        byte[] b = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
        if (b != null) {
            headers.add("Content-Type: application/json");
        }
        switch (r.nextInt(15)) {
            case 14 -> { // HTTP/2 over cleartext, as Java's HttpClient asks for it
                headers.add("Connection: Upgrade, HTTP2-Settings");
                headers.add("Upgrade: h2c");
                headers.add("HTTP2-Settings: " + (r.nextBoolean() ? "AAMAAABkAAQCAAAAAAIAAAAA" : junk(r, 12)
                        .replace("\r", "").replace("\n", "")));
            }
            case 0 -> headers.add("NoColonHere");
            case 1 -> headers.add("X-Nul: a\0b");
            case 2 -> headers.add("X-Big: " + "a".repeat(16_000 + r.nextInt(20_000)));
            case 3 -> headers.add("X-Folded: a\r\n continued");
            case 4 -> headers.add("Transfer-Encoding: gzip");
            case 5 -> {
                headers.add("Transfer-Encoding: chunked");
                headers.add("Content-Length: 5");
            }
            case 6 -> headers.add("Expect: 100-continue");
            case 7 -> headers.add("Expect: something-else");
            case 8 -> headers.add("Accept: " + junk(r, 20).replace("\r", "").replace("\n", ""));
            case 9 -> headers.add("Authorization: Bearer " + "x".repeat(r.nextInt(5000)));
            case 10 -> headers.add("Content-Length: -1");
            case 11 -> headers.add("Last-Event-ID: " + junk(r, 10).replace("\r", "").replace("\n", ""));
            case 12 -> {
                for (int i = 0; i < 500; i++) {
                    headers.add("X-Many-" + i + ": " + i);
                }
            }
            default -> headers.add(" : empty-name");
        }
        boolean hasLength = headers.stream().anyMatch(h -> h.startsWith("Content-Length") || h.startsWith("Transfer-Encoding"));
        if (b != null && !hasLength) {
            headers.add("Content-Length: " + b.length);
        }
        // framing the server cannot trust: the client says it is done
        return new Request(n, "header", target, frame(target, method + " " + route + " HTTP/1.1", headers, b), hasLength,
                false, null);
    }

    private static Request brokenChunks(int n, Target target, Random r) {
        String body = podBody(r);
        String chunks = switch (r.nextInt(7)) {
            case 0 -> "zz\r\n" + body + "\r\n0\r\n\r\n";
            case 1 -> Integer.toHexString(body.length() + 100) + "\r\n" + body; // longer than sent
            case 2 -> Integer.toHexString(body.length()) + "\r\n" + body + "\r\n"; // no last chunk
            case 3 -> "-5\r\n" + body + "\r\n0\r\n\r\n";
            case 4 -> Integer.toHexString(body.length()) + ";" + junk(r, 30).replace("\r", "").replace("\n", "") + "\r\n"
                    + body + "\r\n0\r\n\r\n";
            case 5 -> "ffffffffffffffffff\r\n" + body;
            default -> Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\nX-Trailer: " + junk(r, 8) + "\r\n\r\n";
        };
        return new Request(n, "chunked", target, frame(target, "POST " + (r.nextBoolean() ? "/v1/pods" : "/v1/images") + " HTTP/1.1",
                List.of("Content-Type: application/json", "Transfer-Encoding: chunked"), chunks.getBytes(StandardCharsets.UTF_8)),
                true, false, null);
    }

    /** A request cut anywhere, after which the client shuts its side. */
    private static Request cutShort(int n, Target target, Random r) {
        byte[] whole = plain(n, "", target, "POST", "/v1/pods", "application/json", podBody(r)).bytes();
        byte[] cut = java.util.Arrays.copyOf(whole, r.nextInt(whole.length));
        return new Request(n, "cut", target, cut, true, false, null);
    }

    private static Request webSocket(int n, Target target, Random r) {
        List<String> headers = new ArrayList<>();
        headers.add("Upgrade: " + (r.nextInt(5) == 0 ? "WebSocket, junk" : "websocket"));
        headers.add("Connection: " + (r.nextInt(6) == 0 ? "keep-alive" : "Upgrade"));
        if (r.nextInt(4) > 0) {
            headers.add("Sec-WebSocket-Key: " + (r.nextInt(4) == 0 ? junk(r, 10).replace("\r", "").replace("\n", "")
                    : "dGhlIHNhbXBsZSBub25jZQ=="));
        }
        if (r.nextInt(4) > 0) {
            headers.add("Sec-WebSocket-Version: " + (r.nextInt(4) == 0 ? "8" : "13"));
        }
        String route = switch (r.nextInt(5)) {
            case 0 -> "/v1/events?" + junkQuery(r);
            case 1 -> "/v1/events?after=" + (r.nextBoolean() ? "-5" : "99999999999");
            case 2 -> "/v1/events";
            case 3 -> "/v1/pods";
            default -> ROUTES.get(r.nextInt(ROUTES.size())).replace("%s", badId(r));
        };
        String method = r.nextInt(4) == 0 ? "POST" : "GET";
        byte[] body = null;
        if (method.equals("POST")) {
            body = podBody(r).getBytes(StandardCharsets.UTF_8);
            headers.add("Content-Type: application/json");
            headers.add("Content-Length: " + body.length);
        }
        byte[] frames = new byte[r.nextInt(300)];
        r.nextBytes(frames);
        return new Request(n, "websocket", target, frame(target, method + " " + route + " HTTP/1.1", headers, body), false,
                false, frames);
    }

    private static String path(Random r) {
        return switch (r.nextInt(16)) {
            case 0 -> "/v1/pods/..";
            case 1 -> "/v1/pods/%2e%2e/images";
            case 2 -> "//v1//pods";
            case 3 -> "/v1/pods/%00";
            case 4 -> "/v1/pods/\0";
            case 5 -> "/v1/pods/" + "\u00e9\u4e2d\ud83d\ude00";
            case 6 -> "/v1/pods/" + "a".repeat(5000 + r.nextInt(10_000));
            case 7 -> "/../../../etc/passwd";
            case 8 -> "http://rkj/v1/pods";
            case 9 -> "*";
            case 10 -> "/v1/images/%2e%2e%2f%2e%2e%2fetc%2fpasswd/manifest";
            case 11 -> "/v1/pods/%zz";
            case 12 -> "/v1/./pods/./gc";
            case 13 -> "/v1/images/sha512-" + "f".repeat(r.nextInt(300)) + "/manifest";
            case 14 -> "v1/pods";
            default -> "/v1/pods/" + URLEncoder.encode(junk(r, 1 + r.nextInt(40)), StandardCharsets.UTF_8);
        };
    }

    /** A POST /v1/pods body that is wrong somewhere: a field of the wrong type, or an image that does not exist. */
    static String podBody(Random r) {
        switch (r.nextInt(10)) {
            case 0 -> {
                return json(r, 3);
            }
            case 1 -> { // truncated
                String whole = "{\"image\":\"example.com/fuzz-" + junk(r, 5) + "\",\"exec\":[\"/bin/true\"],\"env\":{\"A\":\"b\"}}";
                return whole.substring(0, r.nextInt(whole.length()));
            }
            case 2 -> {
                return "{\"image\":\"" + NOT_IMAGES.get(r.nextInt(NOT_IMAGES.size())) + "\",\"insecureOptions\":[\"image\"]"
                        + (r.nextBoolean() ? ",\"start\":true" : "") + "}";
            }
            default -> {
                StringBuilder b = new StringBuilder("{");
                int fields = r.nextInt(5);
                for (int i = 0; i < fields; i++) {
                    String field = r.nextInt(5) == 0 ? junk(r, 8) : POD_FIELDS.get(r.nextInt(POD_FIELDS.size()));
                    b.append(i == 0 ? "" : ",").append(quote(field)).append(':').append(json(r, 2));
                }
                if (r.nextBoolean()) {
                    b.append(fields == 0 ? "" : ",").append("\"image\":")
                            .append(r.nextBoolean() ? quote("example.com/fuzz-" + junk(r, 12)) : json(r, 1));
                }
                return b.append('}').toString();
            }
        }
    }

    private static String otherBody(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> "{\"path\":" + quote(NOT_IMAGES.get(r.nextInt(NOT_IMAGES.size()))) + ",\"insecureOptions\":[\"image\"]}";
            case 1 -> "{\"timeout\":" + json(r, 1) + ",\"force\":" + json(r, 1) + "}";
            case 2 -> "{\"gracePeriod\":" + json(r, 1) + ",\"expirePrepared\":" + json(r, 1) + ",\"markOnly\":" + json(r, 1) + "}";
            default -> json(r, 3);
        };
    }

    static String json(Random r, int depth) {
        return switch (r.nextInt(depth <= 0 ? 7 : 10)) {
            case 0 -> "null";
            case 1 -> Boolean.toString(r.nextBoolean());
            case 2 -> Long.toString(r.nextLong());
            case 3 -> Double.toString(r.nextDouble() * 1e300);
            case 4 -> quote("fuzz-" + junk(r, r.nextInt(40)));
            case 5 -> List.of("{", "[1,,2]", "\"\\ud800\"", "1e99999", "-", "\"\\u00\"", "tru", "{\"a\":1,\"a\":2}", "NaN",
                    "0x10", "'single'").get(r.nextInt(11));
            case 6 -> "\"" + "9".repeat(r.nextInt(400)) + "\"";
            case 7 -> {
                StringBuilder b = new StringBuilder("[");
                for (int i = 0, n = r.nextInt(4); i < n; i++) {
                    b.append(i == 0 ? "" : ",").append(json(r, depth - 1));
                }
                yield b.append(']').toString();
            }
            default -> {
                StringBuilder b = new StringBuilder("{");
                for (int i = 0, n = r.nextInt(4); i < n; i++) {
                    b.append(i == 0 ? "" : ",").append(quote(junk(r, 6))).append(':').append(json(r, depth - 1));
                }
                yield b.append('}').toString();
            }
        };
    }

    private static String junkQuery(Random r) {
        List<String> names = List.of("from", "to", "limit", "aggregate", "type", "state", "image", "app", "after",
                junk(r, 5));
        StringBuilder b = new StringBuilder();
        for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
            String value = switch (r.nextInt(7)) {
                case 0 -> Long.toString(-1 - r.nextInt(1000));
                case 1 -> "9".repeat(1 + r.nextInt(30));
                case 2 -> "";
                case 3 -> "1e3";
                default -> junk(r, 1 + r.nextInt(20));
            };
            String encoded = r.nextInt(8) == 0 ? "%zz" + value.replaceAll("[^a-z0-9]", "") : URLEncoder.encode(value, StandardCharsets.UTF_8);
            b.append(i == 0 ? "" : r.nextInt(8) == 0 ? "&&" : "&").append(URLEncoder.encode(names.get(r.nextInt(names.size())),
                    StandardCharsets.UTF_8)).append(r.nextInt(10) == 0 ? "" : "=").append(encoded);
        }
        return b.toString();
    }

    /** An id that names nothing: too long, wrong alphabet, encoded slashes and dots, or a UUID no pod has. */
    private static String badId(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> "ffffffff-ffff-4fff-8fff-" + "f".repeat(12);
            case 1 -> "0".repeat(37 + r.nextInt(5000));
            case 2 -> "%2e%2e%2f%2e%2e%2fetc%2fpasswd";
            case 3 -> "sha512-" + "z".repeat(1 + r.nextInt(200));
            case 4 -> "%00" + URLEncoder.encode(junk(r, 4), StandardCharsets.UTF_8);
            case 5 -> "ffffffff-ffff-4fff-8fff-" + "f".repeat(13);
            case 6 -> "sha512-" + "a".repeat(129);
            default -> URLEncoder.encode(junk(r, 1 + r.nextInt(30)), StandardCharsets.UTF_8);
        };
    }

    /** Random characters, control and non-ASCII ones included, never starting an image id. */
    static String junk(Random r, int length) {
        StringBuilder b = new StringBuilder("q");
        for (int i = 0; i < length; i++) {
            b.append((char) switch (r.nextInt(4)) {
                case 0 -> r.nextInt(32);
                case 1 -> 0x80 + r.nextInt(0x700);
                default -> 'a' + r.nextInt(26);
            });
        }
        return b.toString();
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
