package dev.rkj.engine.net;

import java.io.IOException;

/** A CNI operation failed: names the network, the plugin and what it said. */
public final class CniException extends IOException {
    public CniException(String message) {
        super(message);
    }

    public CniException(String message, Throwable cause) {
        super(message, cause);
    }
}
