package dev.rkj.engine.store;

import dev.rkj.engine.EngineEvents;
import dev.rkj.engine.appc.ImageId;
import dev.rkj.eventlog.Envelope;
import dev.rkj.eventlog.InMemoryJournal;
import dev.rkj.eventlog.Journal;
import dev.rkj.eventlog.JournalException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** A store in a temp directory over an in-memory journal, with helpers to inspect both. */
final class StoreFixture {
    final Path work;
    final Journal journal;
    final ImageStore store;

    StoreFixture(Path dir) throws ImageStoreException {
        this(dir, new InMemoryJournal(EngineEvents.registry()));
    }

    StoreFixture(Path dir, Journal journal) throws ImageStoreException {
        try {
            this.work = Files.createDirectories(dir.resolve("work"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.journal = journal;
        this.store = ImageStore.open(dir.resolve("cas"), journal);
    }

    ImageId fetch(TestImage image) throws ImageStoreException {
        return store.fetch(image.writeAci(work)).id();
    }

    /** The image events in the journal, in order. */
    List<ImageEvent> imageEvents() throws JournalException {
        List<ImageEvent> events = new ArrayList<>();
        journal.replay(0, (Envelope e) -> {
            if (e.event() instanceof ImageEvent event) {
                events.add(event);
            }
        });
        return events;
    }

    <T extends ImageEvent> List<T> events(Class<T> type) throws JournalException {
        return imageEvents().stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }

    /** Names of the entries directly in {@code cas/<sub>}, sorted. */
    List<String> entries(String sub) {
        try (Stream<Path> list = Files.list(store.directory().resolve(sub))) {
            return list.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
