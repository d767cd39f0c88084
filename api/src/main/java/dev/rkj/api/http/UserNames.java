package dev.rkj.api.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * User names by uid, from {@code /etc/passwd} (the JDK has no {@code getpwuid}; users known only to
 * NSS services such as LDAP have no name here, and their uid alone is recorded). The file is read
 * once per uid not seen before: a peer's name costs no I/O after its first request.
 */
final class UserNames {
    private static final Path PASSWD = Path.of("/etc/passwd");
    private static final Map<Long, Optional<String>> KNOWN = new ConcurrentHashMap<>();

    private UserNames() {
    }

    /** The name of {@code uid}, or null if {@code /etc/passwd} has none (or cannot be read). */
    static String of(long uid) {
        return KNOWN.computeIfAbsent(uid, UserNames::lookUp).orElse(null);
    }

    private static Optional<String> lookUp(long uid) {
        try {
            return Files.readAllLines(PASSWD).stream()
                    .map(line -> line.split(":", -1))
                    .filter(f -> f.length > 2 && f[2].equals(Long.toString(uid)))
                    .map(f -> f[0])
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
