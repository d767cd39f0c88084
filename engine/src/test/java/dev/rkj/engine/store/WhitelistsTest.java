package dev.rkj.engine.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WhitelistsTest {
    @Test
    void noWhitelistOrAnEmptyOneKeepsEverything() {
        assertEquals(Optional.empty(), Whitelists.intersect(List.of()));
        assertEquals(Optional.empty(), Whitelists.intersect(List.of(List.of(), List.of())));
        assertEquals(Optional.empty(), Whitelists.intersect(List.of(List.of("/"))), "\"/\" lists everything");
    }

    @Test
    void aWhitelistKeepsItsPathsAndTheDirectoriesLeadingToThem() {
        assertEquals(Optional.of(Set.of("/etc", "/etc/ssl", "/etc/ssl/certs", "/usr", "/usr/bin", "/usr/bin/app")),
                Whitelists.intersect(List.of(List.of("/etc/ssl/certs/", "/usr/bin/app"))));
    }

    @Test
    void severalWhitelistsKeepWhatAllOfThemKeep() {
        Optional<Set<String>> kept = Whitelists.intersect(List.of(
                List.of("/etc/hosts", "/bin/sh", "/lib/libc.so"),
                List.of(),
                List.of("/etc/hosts", "/bin/sh", "/opt/x"),
                List.of("/")));

        assertEquals(Optional.of(Set.of("/etc", "/etc/hosts", "/bin", "/bin/sh")), kept);
    }

    @Test
    void disjointWhitelistsKeepNothing() {
        assertEquals(Optional.of(Set.of()), Whitelists.intersect(List.of(List.of("/a"), List.of("/b"))));
    }

    @Test
    void pathsAreReadAsTheAppSeesThem() {
        assertEquals(Optional.of(Set.of("/b", "/b/c")), Whitelists.intersect(List.of(List.of("/a/../b/./c", "/../b"))));
    }
}
