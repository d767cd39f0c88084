package dev.rkj.stage1;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How a process ended: an exit code, or the signal that killed it. {@link #code()} is what a
 * shell would report ({@code 128 + signal} for a signal).
 *
 * @param exitCode 0..255 when it exited; 128 + signal when killed
 * @param signal the signal that killed it, 0 when it exited
 */
public record ExitStatus(int exitCode, int signal) {
    /**
     * The status of a process killed by signal S is {@code SIGNAL_BASE + S}, as a shell reports
     * it. The one owner of that rule: the stage1 plan passes it to rkj-stage1.
     */
    public static final int SIGNAL_BASE = 128;

    public ExitStatus {
        if (signal < 0 || signal > 64 || exitCode < 0 || exitCode > 255
                || (signal > 0 && exitCode != SIGNAL_BASE + signal)) {
            throw new IllegalArgumentException("not an exit status: code " + exitCode + ", signal " + signal);
        }
    }

    public static ExitStatus exited(int code) {
        return new ExitStatus(code, 0);
    }

    public static ExitStatus killed(int signal) {
        return new ExitStatus(SIGNAL_BASE + signal, signal);
    }

    /** From a wait(2) status. */
    public static ExitStatus fromWaitStatus(int status) {
        int termsig = status & 0x7f;
        return termsig == 0 ? exited((status >> 8) & 0xff) : killed(termsig);
    }

    /** The status as a shell reports it: the exit code, or 128 + signal. */
    public int code() {
        return exitCode;
    }

    public boolean killedBySignal() {
        return signal != 0;
    }

    public boolean success() {
        return exitCode == 0;
    }

    /** Parses rkj-stage1's form: {@code code=7} or {@code code=137 signal=9}. */
    public static ExitStatus parse(String text) {
        int code = -1;
        int signal = 0;
        for (String field : text.trim().split("\\s+")) {
            int eq = field.indexOf('=');
            String key = eq < 0 ? field : field.substring(0, eq);
            try {
                if (key.equals("code")) {
                    code = Integer.parseInt(field.substring(eq + 1));
                } else if (key.equals("signal")) {
                    signal = Integer.parseInt(field.substring(eq + 1));
                }
            } catch (NumberFormatException e) {
                code = -1;
                break;
            }
        }
        if (code < 0) {
            throw new IllegalArgumentException("unreadable exit status `" + text.trim() + "`: expected code=N [signal=S]");
        }
        return new ExitStatus(code, signal);
    }

    /** rkj-stage1's form, as in {@code <podDir>/status/<app>}. */
    public String format() {
        return signal == 0 ? "code=" + exitCode : "code=" + exitCode + " signal=" + signal;
    }

    /**
     * The status the pod's stage1 wrote for {@code app}, or empty while the app has not ended
     * (or never started). Lets a restarted JVM learn how a pod ended.
     *
     * @throws IOException if the file exists but cannot be read or parsed
     */
    public static Optional<ExitStatus> read(Path podDir, String app) throws IOException {
        Path file = new PodDir(podDir).status(app);
        try {
            return Optional.of(parse(Files.readString(file, StandardCharsets.US_ASCII)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            throw new IOException("status file `" + file + "`: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return signal == 0 ? "exit " + exitCode : "signal " + signal + " (" + exitCode + ")";
    }
}
