package dev.rkj.testsupport;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves a mount, a cgroup or an rkj-stage1 process behind: compares
 * {@link Leaks#current()} after the class with before it (so what was there already, or belongs
 * to another test run, is not blamed). Use with {@code @ExtendWith(LeakCheck.class)}.
 */
public final class LeakCheck implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LeakCheck.class);

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        context.getStore(NS).put("before", Leaks.current());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        @SuppressWarnings("unchecked")
        List<String> before = context.getStore(NS).get("before", List.class);
        List<String> leaked = new ArrayList<>(Leaks.current());
        if (before != null) {
            leaked.removeAll(before);
        }
        if (!leaked.isEmpty()) {
            fail(context.getDisplayName() + " left behind:\n  " + String.join("\n  ", leaked));
        }
    }
}
