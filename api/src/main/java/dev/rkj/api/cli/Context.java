package dev.rkj.api.cli;

import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.store.ImageStore;
import dev.rkj.engine.store.ImageStoreException;
import dev.rkj.eventlog.ChronicleJournal;
import dev.rkj.eventlog.Journal;
import dev.rkj.eventlog.JournalException;
import java.nio.file.Path;

/** What one CLI invocation opens in the data directory; opened lazily, closed after the command. */
final class Context implements AutoCloseable {
    private final Path dataDir;
    private Journal journal;
    private ImageStore imageStore;

    private Context(Path dataDir) {
        this.dataDir = dataDir;
    }

    static Context open(Path dataDir) {
        return new Context(dataDir);
    }

    Path dataDir() {
        return dataDir;
    }

    Journal journal() throws JournalException {
        if (journal == null) {
            journal = ChronicleJournal.open(dataDir.resolve("journal"), EngineEvents.registry());
        }
        return journal;
    }

    /** The image store in {@code <data dir>/cas}, over the journal. */
    ImageStore imageStore() throws JournalException, ImageStoreException {
        if (imageStore == null) {
            imageStore = ImageStore.open(dataDir.resolve("cas"), journal());
        }
        return imageStore;
    }

    @Override
    public void close() {
        if (journal != null) {
            journal.close();
        }
    }
}
