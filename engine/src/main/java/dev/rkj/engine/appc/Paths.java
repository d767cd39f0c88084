package dev.rkj.engine.appc;

/** Path and string checks shared by the model records. */
final class Paths {
    private Paths() {
    }

    /** Why {@code path} is not an absolute path, or null. */
    static String absoluteProblem(String path) {
        if (path == null) {
            return "a path is required";
        }
        if (!path.startsWith("/")) {
            return Quote.of(path) + " must be an absolute path (starting with /)";
        }
        return nulProblem(path);
    }

    static String requireAbsolute(String path) {
        String problem = absoluteProblem(path);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return path;
    }

    /** Why {@code s} cannot be passed to the kernel (it holds a NUL), or null. */
    static String nulProblem(String s) {
        return s.indexOf('\0') >= 0 ? Quote.of(s) + " contains a NUL character" : null;
    }
}
