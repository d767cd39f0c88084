package dev.rkj.eventlog;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Clock;

/** The journal contract on {@link InMemoryJournal}; damage is done through its storage's test hooks. */
class InMemoryJournalTest extends JournalContract {
    private InMemoryJournal first;

    @Override
    protected Journal open(EventRegistry registry, Clock clock, TailBackoff backoff) {
        if (first == null) {
            first = new InMemoryJournal(registry, clock, backoff);
            return first;
        }
        return first.withRegistry(registry);
    }

    @Override
    protected TailBackoff defaultBackoff() {
        return TailBackoff.IN_MEMORY;
    }

    @Override
    protected void alterStoredPayload(Journal journal, Envelope target) {
        StoredEnvelope stored = first.storage().get(target.index());
        byte[] payload = Tamper.alterOneCharacter(stored.payload());
        first.storage().overwrite(target.index(), new StoredEnvelope(stored.index(), stored.epochSecond(),
                stored.nano(), stored.aggregate(), stored.typeName(), stored.typeVersion(), payload,
                stored.previousHash(), stored.hash()));
        assert !new String(payload, UTF_8).equals(target.payloadJson());
    }

    @Override
    protected void removeStored(Journal journal, Envelope target) {
        first.storage().remove(target.index());
    }

    @Override
    protected void swapStored(Journal journal, Envelope a, Envelope b) {
        first.storage().swap(a.index(), b.index());
    }
}
