package dev.rkj.eventlog;

/** TEMPORARY SHIM (not committed): replaced by branch cas. */
public final class AppendConflict extends Exception {
    public AppendConflict(String message) {
        super(message);
    }
}
