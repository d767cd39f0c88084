package dev.rkj.testsupport;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves a mount, a cgroup or an rkj-stage1 process of its own behind.
 * It looks only at what this test run created ({@link Leaks}: this run's temp dirs and cgroup
 * parent, and the pods it created), so another rkj-stage1 on the machine never fails the suite;
 * and it compares with what was there before the class, so an earlier class is not blamed.
 *
 * <p>The ids of the class's pods are collected right after each test, before the test's
 * {@code @AfterEach} and {@code @AfterAll} remove their directories. Use with
 * {@code @ExtendWith(LeakCheck.class)}.
 */
public final class LeakCheck implements BeforeAllCallback, AfterTestExecutionCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LeakCheck.class);

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Set<String> pods = new TreeSet<>(Leaks.podIds());
        context.getStore(NS).put("pods", pods);
        context.getStore(NS).put("before", Leaks.current(pods));
    }

    @Override
    public void afterTestExecution(ExtensionContext context) throws Exception {
        pods(context).addAll(Leaks.podIds());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        Set<String> pods = pods(context);
        pods.addAll(Leaks.podIds());
        @SuppressWarnings("unchecked")
        List<String> before = context.getStore(NS).get("before", List.class);
        List<String> leaked = new ArrayList<>(Leaks.current(pods));
        if (before != null) {
            leaked.removeAll(before);
        }
        if (!leaked.isEmpty()) {
            fail(context.getDisplayName() + " left behind:\n  " + String.join("\n  ", leaked));
        }
    }

    @SuppressWarnings("unchecked")
    private static Set<String> pods(ExtensionContext context) {
        // the class's store: afterTestExecution runs in a test's context, whose parent is the class
        ExtensionContext c = context;
        while (c.getStore(NS).get("pods") == null && c.getParent().isPresent()) {
            c = c.getParent().get();
        }
        Set<String> pods = c.getStore(NS).get("pods", Set.class);
        if (pods == null) {
            pods = new TreeSet<>();
            c.getStore(NS).put("pods", pods);
        }
        return pods;
    }
}
