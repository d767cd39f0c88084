package dev.rkj.engine.image;

import java.util.ArrayList;
import java.util.List;

/** Parses tar entry names into path components, refusing names that could leave the archive root. */
final class EntryPath {
    private EntryPath() {}

    /** Thrown with a reason when a name is unsafe. */
    static final class UnsafeNameException extends Exception {
        UnsafeNameException(String reason) {
            super(reason);
        }
    }

    /**
     * Splits {@code name} into components, dropping empty and "." components.
     *
     * @throws UnsafeNameException for an empty or absolute name, a ".." component, or a NUL byte
     */
    static List<String> components(String name) throws UnsafeNameException {
        if (name.isEmpty()) {
            throw new UnsafeNameException("empty name");
        }
        if (name.startsWith("/")) {
            throw new UnsafeNameException("absolute path: entries must be relative to the archive root");
        }
        if (name.indexOf('\0') >= 0) {
            throw new UnsafeNameException("NUL byte in the name");
        }
        List<String> components = new ArrayList<>();
        for (String component : name.split("/")) {
            if (component.isEmpty() || component.equals(".")) {
                continue;
            }
            if (component.equals("..")) {
                throw new UnsafeNameException("'..' component: entries must not climb out of the archive root");
            }
            components.add(component);
        }
        return components;
    }
}
