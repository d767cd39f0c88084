package dev.rkj.eventlog;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A {@link Journal} held in memory, for tests and tools: the same envelopes, hash chain, JSON
 * round trip and tail behaviour as {@link ChronicleJournal}, without files or other processes.
 *
 * <p>Thread-safe. Events are stored as their JSON bytes and decoded on every replay, so a record
 * that does not survive the round trip fails here just as it would on disk. {@link #withRegistry}
 * gives another view of the same events, decoded with a different registry (an older or newer
 * build).
 */
public final class InMemoryJournal implements Journal {
    private final Storage storage;
    private final EventRegistry registry;
    private final Clock clock;
    private final TailGroup tails;
    private volatile boolean closed;

    /** An empty journal stamping events with the system clock (UTC). */
    public InMemoryJournal(EventRegistry registry) {
        this(registry, Clock.systemUTC());
    }

    /** An empty journal stamping events with {@code clock}: handy for tests with fixed times. */
    public InMemoryJournal(EventRegistry registry, Clock clock) {
        this(new Storage(), registry, clock, TailBackoff.IN_MEMORY);
    }

    InMemoryJournal(EventRegistry registry, Clock clock, TailBackoff backoff) {
        this(new Storage(), registry, clock, backoff);
    }

    private InMemoryJournal(Storage storage, EventRegistry registry, Clock clock, TailBackoff backoff) {
        this.storage = storage;
        this.registry = Objects.requireNonNull(registry, "registry");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.tails = new TailGroup(backoff);
        storage.attach(tails);
    }

    /**
     * Another journal over the same events, decoding them with {@code registry}. Appends through
     * either are seen by both, with one dense index; each closes on its own.
     */
    public InMemoryJournal withRegistry(EventRegistry registry) {
        return new InMemoryJournal(storage, registry, clock, tails.backoff());
    }

    @Override
    public EventRegistry registry() {
        return registry;
    }

    @Override
    public Envelope append(String aggregateId, Record event) throws JournalException {
        checkOpen();
        PreparedEvent prepared = PreparedEvent.of(registry, aggregateId, event);
        Envelope envelope = storage.append(prepared, clock);
        storage.wakeTails();
        return envelope;
    }

    @Override
    public List<Envelope> appendAll(String aggregateId, List<? extends Record> events) throws JournalException {
        checkOpen();
        Objects.requireNonNull(events, "events");
        List<PreparedEvent> prepared = new ArrayList<>(events.size());
        for (Record event : events) {
            prepared.add(PreparedEvent.of(registry, aggregateId, event));
        }
        List<Envelope> appended = new ArrayList<>(prepared.size());
        synchronized (storage) {
            for (PreparedEvent p : prepared) {
                appended.add(storage.append(p, clock));
            }
        }
        storage.wakeTails();
        return appended;
    }

    @Override
    public List<Envelope> appendIfUnchanged(String aggregateId, long decidedAt, List<? extends Record> events)
            throws AppendConflict {
        checkOpen();
        Objects.requireNonNull(events, "events");
        List<PreparedEvent> prepared = new ArrayList<>(events.size());
        for (Record event : events) {
            prepared.add(PreparedEvent.of(registry, aggregateId, event));
        }
        byte[] aggregate = aggregateId.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        List<Envelope> appended = new ArrayList<>(prepared.size());
        synchronized (storage) {
            long end = storage.size();
            if (decidedAt < 0 || decidedAt > end) {
                throw new IllegalArgumentException("decidedAt " + decidedAt + " is outside the journal (0.." + end
                        + "): pass the journal's nextIndex() read with the aggregate's state");
            }
            for (long i = decidedAt; i < end; i++) {
                if (java.util.Arrays.equals(storage.get(i).aggregate(), aggregate)) {
                    throw new AppendConflict(aggregateId, decidedAt, i);
                }
            }
            for (PreparedEvent p : prepared) {
                appended.add(storage.append(p, clock));
            }
        }
        storage.wakeTails();
        return appended;
    }

    @Override
    public void replay(long fromIndex, Consumer<Envelope> consumer) throws JournalException {
        checkOpen();
        checkFrom(fromIndex);
        Objects.requireNonNull(consumer, "consumer");
        long end = storage.size();
        for (long i = fromIndex; i < end; i++) {
            consumer.accept(decode(storage.get(i), i));
        }
    }

    @Override
    public long nextIndex() {
        checkOpen();
        return storage.size();
    }

    @Override
    public Tail tail(long fromIndex, Consumer<Envelope> handler) {
        checkOpen();
        return tails.start(fromIndex, handler, from -> new Cursor(from));
    }

    @Override
    public VerifyResult verify() {
        checkOpen();
        ChainVerifier verifier = new ChainVerifier();
        long end = storage.size();
        for (long i = 0; i < end && verifier.accept(storage.get(i)); i++) {
            // accept() does the work
        }
        return verifier.result();
    }

    @Override
    public void close() {
        closed = true;
        tails.closeAll();
        storage.detach(tails);
    }

    /** Test hook: the storage, to damage it the way a bad disk or a hand edit would. */
    Storage storage() {
        return storage;
    }

    private Envelope decode(StoredEnvelope stored, long expectedIndex) throws JournalException {
        if (stored.index() != expectedIndex) {
            throw new JournalException("in-memory journal: event " + expectedIndex + "'s place holds event "
                    + stored.index() + ": the journal is damaged; run verify() to find where");
        }
        try {
            return stored.toEnvelope(registry);
        } catch (EventCodec.UndecodableEvent e) {
            throw new JournalException("in-memory journal: event " + stored.index() + " cannot be decoded: "
                    + e.getMessage(), e);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this in-memory journal is closed: open a new one");
        }
    }

    private static void checkFrom(long fromIndex) {
        if (fromIndex < 0) {
            throw new IllegalArgumentException("replay must start at index 0 or later, got " + fromIndex);
        }
    }

    /** Reads the shared storage for one tail, decoding with this journal's registry. */
    private final class Cursor implements TailThread.Cursor {
        private long next;

        Cursor(long fromIndex) {
            this.next = fromIndex;
        }

        @Override
        public Envelope next() throws JournalException {
            if (next >= storage.size()) {
                return null;
            }
            Envelope envelope = decode(storage.get(next), next);
            next++;
            return envelope;
        }

        @Override
        public JournalException stuck() {
            return null;
        }

        @Override
        public void close() {
            // nothing held
        }
    }

    /** The events, shared by every view; its monitor is the append lock. */
    static final class Storage {
        private final List<StoredEnvelope> envelopes = new ArrayList<>();
        private final List<TailGroup> groups = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final HashChain chain = new HashChain();

        synchronized Envelope append(PreparedEvent p, Clock clock) {
            long index = envelopes.size();
            byte[] previousHash = index == 0 ? HashChain.GENESIS : envelopes.get((int) index - 1).hash();
            Instant time = clock.instant();
            byte[] hash = chain.hash(previousHash, index, time.getEpochSecond(), time.getNano(), p.aggregate(),
                    p.typeName(), p.type().version(), p.payload());
            if (index == Integer.MAX_VALUE) {
                throw new IllegalStateException("in-memory journal is full (" + index + " events)");
            }
            envelopes.add(StoredEnvelope.of(index, time, p, previousHash, hash));
            return new Envelope(index, time, p.aggregateId(), p.type(), p.payloadJson(), p.event(), previousHash, hash);
        }

        synchronized long size() {
            return envelopes.size();
        }

        synchronized StoredEnvelope get(long index) {
            return envelopes.get((int) index);
        }

        void attach(TailGroup group) {
            groups.add(group);
        }

        void detach(TailGroup group) {
            groups.remove(group);
        }

        void wakeTails() {
            for (TailGroup group : groups) {
                group.wakeAll();
            }
        }

        /** Test hook: replaces the stored envelope at {@code index}, as a hand edit on disk would. */
        synchronized void overwrite(long index, StoredEnvelope replacement) {
            envelopes.set((int) index, replacement);
        }

        /** Test hook: drops the stored envelope at {@code index}. */
        synchronized void remove(long index) {
            envelopes.remove((int) index);
        }

        /** Test hook: swaps two stored envelopes. */
        synchronized void swap(long a, long b) {
            StoredEnvelope first = envelopes.get((int) a);
            envelopes.set((int) a, envelopes.get((int) b));
            envelopes.set((int) b, first);
        }
    }
}
