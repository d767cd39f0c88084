package dev.rkj.engine.appc;

import java.util.regex.Pattern;

/**
 * An app environment variable (aci.md): the name is letters, digits and underscores, not starting
 * with a digit (POSIX), plus {@code .} and {@code -}; the value is any string without NUL.
 */
public record EnvVar(String name, String value) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");

    public EnvVar {
        String problem = nameProblem(name);
        if (problem == null) {
            problem = value == null ? "environment variable " + name + " has no value" : Paths.nulProblem(value);
        }
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    static String nameProblem(String name) {
        if (name == null) {
            return "an environment variable name is required";
        }
        return NAME.matcher(name).matches() ? null : Quote.of(name) + " is not a valid environment variable name:"
                + " use letters, digits, _ . and -, not starting with a digit";
    }
}
