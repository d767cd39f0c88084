package dev.rkj.eventlog;

/** Small helpers for one-line, actionable messages. */
final class Messages {
    private Messages() {}

    /** The text on one line: newlines and the whitespace around them become one space. */
    static String oneLine(String text) {
        if (text == null) {
            return "no detail";
        }
        return text.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** The exception's message on one line, with its class if that adds meaning. */
    static String describe(Throwable t) {
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t.getClass().getSimpleName();
        }
        return t.getClass().getSimpleName() + ": " + oneLine(message);
    }
}
