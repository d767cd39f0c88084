package dev.rkj.engine.appc;

/** Quotes user-supplied values for error messages: JSON-style, shortened when long. */
final class Quote {
    private static final int MAX = 80;

    private Quote() {
    }

    static String of(String value) {
        if (value == null) {
            return "null";
        }
        String shown = value.length() > MAX ? value.substring(0, MAX) + "..." : value;
        StringBuilder out = new StringBuilder(shown.length() + 2).append('"');
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
