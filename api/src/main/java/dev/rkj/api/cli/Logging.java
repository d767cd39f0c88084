package dev.rkj.api.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Turns on debug logging for {@code --debug}. */
final class Logging {
    private Logging() {}

    static void enableDebug() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.DEBUG);
        ((Logger) LoggerFactory.getLogger("net.openhft")).setLevel(Level.INFO);
    }
}
