package dev.rkj.stage1;

/**
 * A line of the rkj-stage1 protocol on fd 3 (drawn at the top of rkj-stage1.c):
 * {@code ready <pid>}, {@code started <app> <pid>}, {@code error <call> <path> <errno> <message>},
 * {@code exited <app> code=N [signal=S]}.
 */
sealed interface Stage1Message {
    record Ready(int podPid) implements Stage1Message {}

    record AppStarted(String app, int pid) implements Stage1Message {}

    record Failed(String call, String path, int errno, String message) implements Stage1Message {
        Stage1Exception exception() {
            return new Stage1Exception(call, path, errno, message);
        }
    }

    record AppExited(String app, ExitStatus status) implements Stage1Message {}

    static Stage1Message parse(String line) {
        String[] f = line.split(" ", 5);
        try {
            switch (f[0]) {
                case "ready":
                    return new Ready(Integer.parseInt(f[1]));
                case "started":
                    return new AppStarted(f[1], Integer.parseInt(f[2]));
                case "exited":
                    return new AppExited(f[1], ExitStatus.parse(line.substring(f[0].length() + f[1].length() + 2)));
                case "error":
                    return new Failed(f[1], f[2].equals("-") ? null : unescape(f[2]), Integer.parseInt(f[3]),
                            f.length > 4 ? f[4] : "");
                default:
                    break;
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("unreadable rkj-stage1 message `" + line + "`", e);
        }
        throw new IllegalArgumentException("unknown rkj-stage1 message `" + line + "`");
    }

    /** Space, tab, newline and backslash come as {@code \ooo}. */
    private static String unescape(String s) {
        return dev.rkj.stage1.kernel.MountInfo.unescape(s);
    }
}
