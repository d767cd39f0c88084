package dev.rkj.engine.run;

import dev.rkj.eventlog.Journal;
import dev.rkj.eventlog.JournalException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Entries of {@code <dataDir>/pods/} that the journal knows nothing of: left by a journal that was
 * truncated, deleted or restored from an older backup. Reported by {@code rkj journal verify} and
 * collected on request by {@code rkj gc --unknown-pods}; never by an ordinary gc, since only the
 * journal says what a pod is.
 */
public final class UnknownPods {
    private UnknownPods() {}

    /** The entries (sorted by name) of the pods directory whose name is no aggregate in {@code journal}. */
    public static List<Path> find(Path dataDir, Journal journal) throws JournalException, IOException {
        Set<String> known = new HashSet<>();
        dev.rkj.engine.snapshot.Snapshots.Base base = dev.rkj.engine.snapshot.Snapshots.in(dataDir).load(journal);
        base.pods().all().forEach(pod -> known.add(pod.podId())); // a snapshot knows the pods of pruned events too
        journal.replay(base.index(), env -> known.add(env.aggregateId()));
        return find(dataDir, known);
    }

    /** The entries (sorted by name) of the pods directory whose name is not in {@code known}. */
    public static List<Path> find(Path dataDir, Set<String> known) throws IOException {
        Path pods = dataDir.resolve(Stage1Host.PODS);
        List<Path> unknown = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(pods)) {
            for (Path entry : entries) {
                if (!known.contains(entry.getFileName().toString())) {
                    unknown.add(entry);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        unknown.sort(null);
        return unknown;
    }

    /** What an entry is, for a report line: "directory", "symbolic link", "file". */
    public static String kind(Path entry) {
        if (Files.isSymbolicLink(entry)) {
            return "symbolic link";
        }
        return Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS) ? "directory" : "file";
    }
}
