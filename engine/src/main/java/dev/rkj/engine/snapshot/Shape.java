package dev.rkj.engine.snapshot;

import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.store.ImageIndex;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * The shape of what a snapshot holds: the component names and types of the saved records and of
 * every record and enum they contain, hashed. A build whose records changed (a field added,
 * renamed or retyped, an enum constant added) has another shape, and reads an older snapshot as
 * one of another version: it folds the journal instead of trusting a state that may lack a field.
 */
final class Shape {
    /** This build's shape. */
    static final String CURRENT = of(PodState.class, ImageIndex.Saved.class);

    private Shape() {
    }

    static String of(Class<?>... roots) {
        StringBuilder text = new StringBuilder();
        Set<Class<?>> seen = new HashSet<>();
        for (Class<?> root : roots) {
            describe(root, text, seen);
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static void describe(Type type, StringBuilder text, Set<Class<?>> seen) {
        if (type instanceof ParameterizedType p) {
            describe(p.getRawType(), text, seen);
            for (Type arg : p.getActualTypeArguments()) {
                describe(arg, text, seen);
            }
            return;
        }
        if (!(type instanceof Class<?> c) || !seen.add(c)) {
            return;
        }
        if (c.isRecord()) {
            text.append(c.getName()).append('(');
            for (RecordComponent rc : c.getRecordComponents()) {
                text.append(rc.getName()).append(':').append(rc.getGenericType().getTypeName()).append(',');
            }
            text.append(")\n");
            for (RecordComponent rc : c.getRecordComponents()) {
                describe(rc.getGenericType(), text, seen);
            }
        } else if (c.isEnum()) {
            text.append(c.getName()).append(Arrays.stream(c.getEnumConstants()).map(e -> ((Enum<?>) e).name()).toList())
                    .append('\n');
        } else if (c.isSealed()) {
            for (Class<?> sub : c.getPermittedSubclasses()) {
                describe(sub, text, seen);
            }
        }
    }
}
