package dev.rkj.api.cli;

/** rkj's exit codes. {@code rkj run} exits with the app's own status; everything else uses these. */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** An error of rkj itself (bad flag, bad input, missing pod...), as in rkt. */
    public static final int ERROR = 254;

    private ExitCodes() {}
}
