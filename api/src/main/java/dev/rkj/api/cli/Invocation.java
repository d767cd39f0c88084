package dev.rkj.api.cli;

import dev.rkj.api.http.CliRoute;
import java.nio.file.Path;
import java.util.Map;

/**
 * One command line's invocation: who runs it, and from where: this process ({@link #local()}), or a thin client whose
 * command the daemon runs ({@link #remote}): its environment, working directory and uid, the
 * daemon's open data directory, and its signals. Everything a command takes from its caller's
 * process (an environment variable, a relative path, "am I root") asks this, never the JVM.
 */
final class Invocation {
    private final Map<String, String> env;
    private final Path cwd;
    private final long uid;
    private final Context shared;
    private final CliRoute.Signals signals;
    private final CliRoute.Session session;

    private Invocation(Map<String, String> env, Path cwd, long uid, Context shared, CliRoute.Signals signals,
                       CliRoute.Session session) {
        this.env = env;
        this.cwd = cwd;
        this.uid = uid;
        this.shared = shared;
        this.signals = signals;
        this.session = session;
    }

    /** This process: its environment, its working directory, its euid (read when asked). */
    static Invocation local() {
        return new Invocation(null, null, Long.MIN_VALUE, null, null, null);
    }

    /** A thin client's command, run in the daemon over {@code shared} (which the command never closes). */
    static Invocation remote(CliRoute.Session session, Context shared) {
        return new Invocation(session.env(), session.cwd(), session.uid(), shared, session.signals(), session);
    }

    /** Whether the caller's terminal can be an interactive pod's: in-process, or a thin client that relays it. */
    boolean hasTerminal() {
        return session == null || session.terminal().relayed();
    }

    /** The caller's terminal for an attach: a thin client's, relayed (its output unescaped: the pty's bytes); only when remote. */
    AttachClient.UserTerminal terminal() {
        return AttachClient.remote(session.terminal(), session.out());
    }

    boolean remote() {
        return shared != null;
    }

    /** The daemon's open data directory, journal, store and engine; null in-process. */
    Context shared() {
        return shared;
    }

    String env(String name) {
        return env == null ? System.getenv(name) : env.get(name);
    }

    Map<String, String> environment() {
        return env == null ? System.getenv() : env;
    }

    long uid() {
        return env == null ? Privileges.effectiveUid() : uid;
    }

    boolean isRoot() {
        return uid() == 0;
    }

    /** The user name, as the JVM has it in-process ({@code user.name}), from {@code $USER} for a client. */
    String userName() {
        return env == null ? System.getProperty("user.name") : env.getOrDefault("USER", env.get("LOGNAME"));
    }

    /** A path as the caller wrote it, absolute against the caller's working directory (unchanged in-process). */
    Path path(String text) {
        Path p = Path.of(text);
        return cwd == null || p.isAbsolute() ? p : cwd.resolve(p).normalize();
    }

    /**
     * An image argument: a file reference ({@code ./x.aci}, {@code ../y.aci}, {@code z.aci}) made
     * absolute against the client's working directory; an ID or name, or anything in-process, as given.
     */
    String imageRef(String ref) {
        if (cwd == null || ref == null || !dev.rkj.engine.host.StoreImages.isFileReference(ref) || ref.startsWith("/")) {
            return ref;
        }
        try {
            return cwd.resolve(ref).normalize().toString();
        } catch (java.nio.file.InvalidPathException e) {
            return ref;
        }
    }

    /** What to do on the client's Ctrl-C, SIGTERM or hangup (null: forget it); in-process, the command's own. */
    void onSignal(Runnable action) {
        if (signals != null) {
            signals.handle(action == null ? null : name -> action.run());
        }
    }

    /**
     * Who asks, as the journal records it on what {@code command} writes: this invocation's user
     * and, under sudo, the user who ran sudo.
     */
    dev.rkj.engine.Grantor grantor(String command) {
        long euid = uid();
        return new dev.rkj.engine.Grantor(euid < 0 ? null : euid, userName(), env("SUDO_USER"),
                "rkj " + command + " command line" + (remote() ? " (through the daemon)" : ""));
    }
}
