package dev.rkj.engine.appc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.engine.appc.wire.AppcJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Checks shared by the {@link Isolator} records and the manifest reader. */
final class IsolatorChecks {
    private static final Pattern SYSCALL = Pattern.compile("[a-z0-9_]+");
    private static final Pattern WILDCARD = Pattern.compile("@[^/\\s]+(/[^/\\s]+)+");
    private static final Pattern ERRNO = Pattern.compile("[A-Z][A-Z0-9]*");

    private IsolatorChecks() {
    }

    static void check(String name, Optional<Quantity> request, Optional<Quantity> limit, boolean millis) {
        if (request.isEmpty() && limit.isEmpty()) {
            throw new IllegalArgumentException(name + " needs a limit or a request, e.g. {\"limit\": \""
                    + (millis ? "500m" : "1G") + "\"}");
        }
        for (Optional<Quantity> q : List.of(request, limit)) {
            q.ifPresent(v -> wholeUnits(v, millis));
        }
        limit.ifPresent(l -> {
            if (l.value().signum() == 0) {
                throw new IllegalArgumentException(name + " limit must be more than 0");
            }
        });
        if (request.isPresent() && limit.isPresent() && request.get().compareTo(limit.get()) > 0) {
            throw new IllegalArgumentException(name + " request " + request.get()
                    + " is more than its limit " + limit.get() + ": the request must not exceed the limit");
        }
    }

    /** @throws IllegalArgumentException when {@code q} is not whole millicores (cpu) or whole bytes */
    static void wholeUnits(Quantity q, boolean millis) {
        try {
            if (millis) {
                q.toMillisExact();
            } else {
                q.toLongExact();
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(e.getMessage()
                    + (millis ? " (cpu is counted in whole millicores, e.g. 250m)"
                    : " (memory is counted in whole bytes)"));
        }
    }

    static <T> List<T> nonEmpty(String name, List<T> set) {
        set = List.copyOf(set);
        if (set.isEmpty()) {
            throw new IllegalArgumentException(name + " needs a non-empty set");
        }
        return set;
    }

    static List<String> syscalls(String name, List<String> set) {
        set = nonEmpty(name, set);
        for (String s : set) {
            String problem = syscallProblem(s);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        }
        return set;
    }

    static String syscallProblem(String s) {
        if (s.startsWith("@")) {
            return WILDCARD.matcher(s).matches() ? null : Quote.of(s)
                    + " is not a seccomp wildcard: wildcards are scoped, e.g. @appc.io/all";
        }
        return SYSCALL.matcher(s).matches() ? null : Quote.of(s)
                + " is not a syscall name: use the lowercase name, e.g. clock_settime";
    }

    /** Empty for a missing or empty errno (meaning SIGSYS); otherwise a checked errno name. */
    static Optional<String> errno(Optional<String> errno) {
        Optional<String> present = errno.filter(e -> !e.isEmpty());
        present.ifPresent(e -> {
            String problem = errnoProblem(e);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        });
        return present;
    }

    static String errnoProblem(String e) {
        return ERRNO.matcher(e).matches() ? null : Quote.of(e)
                + " is not an errno name: use one upper-case name, e.g. EPERM";
    }

    /** Where an isolator list sits: the scope rules of ace.md differ. */
    enum Scope {
        APP, POD
    }

    interface ListSink {
        void problem(int index, String message);
    }

    /**
     * Checks a list of isolator names: scope (ace.md), at most one of each isolator rkj knows,
     * and no retain-set together with the matching remove-set.
     */
    static void listProblems(List<String> names, Scope scope, ListSink sink) {
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (name == null) {
                continue;
            }
            if (scope == Scope.POD && Isolator.APP_ONLY.contains(name)) {
                sink.problem(i, Quote.of(name) + " applies to single apps only: move it into an app's isolators");
            } else if (scope == Scope.APP && Isolator.POD_ONLY.contains(name)) {
                sink.problem(i, Quote.of(name) + " applies to whole pods only: move it into the pod's isolators");
            }
            Integer previous = seen.putIfAbsent(name, i);
            if (previous != null && Isolator.DEFINED.contains(name)) {
                sink.problem(i, "only one " + Quote.of(name) + " isolator is allowed here (another is at index "
                        + previous + ")");
            }
            String rival = RIVALS.get(name);
            if (rival != null && seen.containsKey(rival)) {
                sink.problem(i, Quote.of(name) + " cannot be combined with " + Quote.of(rival) + " (index "
                        + seen.get(rival) + "): keep one of them");
            }
        }
    }

    /** {@code json} in compact form; it must be a JSON value other than null. */
    static String compactJson(String isolator, String json) {
        JsonNode node;
        try {
            node = json == null ? null : AppcJson.readTree(json.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("the value of isolator " + isolator + " is not JSON: " + json, e);
        }
        if (node == null || node.isMissingNode() || node.isNull()) {
            throw new IllegalArgumentException("isolator " + isolator + " needs a JSON value");
        }
        return AppcJson.writeCompact(node);
    }

    static void rejectListProblems(List<String> names, Scope scope) {
        listProblems(names, scope, (i, message) -> {
            throw new IllegalArgumentException("isolator " + i + ": " + message);
        });
    }

    private static final Map<String, String> RIVALS = Map.of(
            Isolator.CAPABILITIES_RETAIN_SET, Isolator.CAPABILITIES_REMOVE_SET,
            Isolator.CAPABILITIES_REMOVE_SET, Isolator.CAPABILITIES_RETAIN_SET,
            Isolator.SECCOMP_RETAIN_SET, Isolator.SECCOMP_REMOVE_SET,
            Isolator.SECCOMP_REMOVE_SET, Isolator.SECCOMP_RETAIN_SET);
}
