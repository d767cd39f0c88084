package dev.rkj.eventlog;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import net.openhft.chronicle.wire.UnrecoverableTimeoutException;

/**
 * The {@link Journal} on a Chronicle Queue directory: one file a day ({@code yyyyMMdd'F'.cq4},
 * UTC), shared safely by several processes (a daemon and CLI invocations).
 *
 * <h2>Appending across processes</h2>
 * An append takes this journal's in-process lock, then Chronicle's cross-process write lock
 * (by opening a writing document). Under both it finds the envelope before its own excerpt (from
 * a cache of the last one it wrote or read, re-read only when another writer appended since),
 * takes the time, numbers the envelope one past it and chains the hash. So indexes are dense and
 * the chain is whole however processes interleave. A conditional append
 * ({@link #appendIfUnchanged}) scans the envelopes from its decision index to the one before its
 * own excerpt while holding both locks, so the check and the write are one step for every
 * process: Chronicle's write lock is the cross-process lock that serializes them (no other file
 * lock is needed, and plain appends are serialized with them too).
 *
 * <h2>Threads</h2>
 * Chronicle readers and writers belong to one thread. Here: the appender and one look-up tailer
 * are shared by appending threads but only ever used under the in-process lock (so Chronicle's
 * single-thread check is off for those two); {@link #replay} and {@link #verify} create a tailer
 * on the calling thread and close it before returning; each {@link Tail} creates its own on its
 * own thread. {@link #close()} stops the tails first, then closes the appender and the queue.
 */
public final class ChronicleJournal implements Journal {
    static {
        ChronicleSettings.apply();
    }

    /** Values of {@code lookupAfter} that are not an excerpt index. */
    private static final long UNKNOWN = Long.MIN_VALUE;
    private static final long BEFORE_FIRST = -1;

    private final Path dir;
    private final boolean readOnly;
    private final EventRegistry registry;
    private final Clock clock;
    private final SingleChronicleQueue queue;
    private final RollCycle rollCycle;
    private final TailGroup tails;
    private final LongAdder excerptsRead = new LongAdder();
    private final ReentrantLock lock = new ReentrantLock();
    private final HashChain chain = new HashChain(); // guarded by lock
    private ExcerptAppender appender; // guarded by lock
    private final DiskReserve reserve; // guarded by lock
    private final JournalHead head;
    private final HeadWriter headWriter;
    private int appendCycle; // guarded by lock: the day of appendFile
    private Path appendFile; // guarded by lock: the file appends go to, or null before the first
    private boolean appenderFaulted; // guarded by lock: the appender met a fault and must be replaced
    private ExcerptTailer lookup; // guarded by lock
    /**
     * The reader the last {@link #replay} ended with, standing before envelope {@code resumeAt}: a
     * replay that starts there (a projection catching up, again and again) reads on without creating
     * a tailer and seeking, which costs more than reading a few envelopes.
     */
    private final ReentrantLock resumeLock = new ReentrantLock();
    private ChronicleReader resume; // guarded by resumeLock
    private long resumeAt = -1; // guarded by resumeLock
    private ExcerptTailer pin; // guarded by lock: never moved; keeps the oldest day file mapped, see pinOldest
    private volatile boolean sawQueueFile; // read-only: a queue file was seen (one always stays: pruning keeps the newest)
    private long lookupAfter = UNKNOWN; // guarded by lock: the excerpt the look-up tailer has just read
    private volatile Link last; // written under lock: the newest envelope known, or null
    private volatile boolean closed;
    private JournalRepaired repaired; // set once, by open, before the journal is handed out
    private Link bound; // set once, by openReadOnly, before handing out: a torn tail it read up to, not past
    private String unrepairedTear; // set with bound: the warning to show

    /** Where the newest known envelope is: its Chronicle excerpt index, its envelope index, its hash. */
    private record Link(long excerpt, long index, byte[] hash) {}

    private ChronicleJournal(Path dir, EventRegistry registry, Clock clock, SingleChronicleQueue queue,
                             TailBackoff backoff) {
        this(dir, registry, clock, queue, backoff, false);
    }

    private ChronicleJournal(Path dir, EventRegistry registry, Clock clock, SingleChronicleQueue queue,
                             TailBackoff backoff, boolean readOnly) {
        this.readOnly = readOnly;
        this.dir = dir;
        this.registry = registry.with(JournalRepaired.class);
        this.clock = clock;
        this.queue = queue;
        this.rollCycle = queue.rollCycle();
        this.tails = new TailGroup(backoff);
        this.reserve = new DiskReserve(dir);
        this.head = new JournalHead(dir);
        this.headWriter = new HeadWriter(head);
    }

    /**
     * Opens (creating if needed) the journal in {@code dir}. The directory itself is created if
     * its parent exists.
     *
     * @throws JournalException if the directory is missing, not a directory or not writable, or a
     *                          queue file in it is damaged; the message names it and what to do
     */
    public static ChronicleJournal open(Path dir, EventRegistry registry) throws JournalException {
        return open(dir, registry, Clock.systemUTC(), RollCycles.FAST_DAILY, TailBackoff.CHRONICLE);
    }

    /**
     * As {@link #open(Path, EventRegistry)}, with appends stamped (and day files chosen) by
     * {@code clock}: for tools and tests that build a history spread over days.
     */
    public static ChronicleJournal open(Path dir, EventRegistry registry, Clock clock) throws JournalException {
        return open(dir, registry, clock, RollCycles.FAST_DAILY, TailBackoff.CHRONICLE);
    }

    /**
     * Whether {@code dir} holds a journal (the queue's metadata file is there): where it does not,
     * nothing was ever recorded, and a reader has nothing to read. Creates nothing.
     */
    public static boolean exists(Path dir) {
        return java.nio.file.Files.isRegularFile(dir.resolve(SingleChronicleQueue.QUEUE_METADATA_FILE));
    }

    /**
     * Opens the journal in {@code dir} for reading only: {@link #replay}, {@link #tail},
     * {@link #nextIndex} and {@link #verify} work; every append fails with a
     * {@link JournalException}. It never creates, moves or writes a file (no probe, no repair of
     * a torn tail, no head file update), so a user without write access to the data directory can
     * read it. Appends by writers in other processes are seen as with {@link #open}.
     *
     * @throws JournalException if {@code dir} is not a journal directory (missing, not a
     *                          directory, or without the queue's metadata file because nothing was
     *                          ever written), cannot be read, or its newest file is damaged; a
     *                          torn tail (which {@link #open} would repair) is read up to the tear
     *                          instead, see {@link #unrepairedTear()}
     */
    public static ChronicleJournal openReadOnly(Path dir, EventRegistry registry) throws JournalException {
        return openReadOnly(dir, registry, RollCycles.FAST_DAILY, TailBackoff.CHRONICLE);
    }

    static ChronicleJournal openReadOnly(Path dir, EventRegistry registry, RollCycle rollCycle, TailBackoff backoff)
            throws JournalException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(registry, "registry");
        Path absolute = dir.toAbsolutePath().normalize();
        if (!java.nio.file.Files.isDirectory(absolute)) {
            throw new JournalException("journal directory " + absolute + " does not exist or is not a directory:"
                    + " nothing was recorded there yet; check --dir / RKJ_DIR");
        }
        if (!java.nio.file.Files.isRegularFile(absolute.resolve(SingleChronicleQueue.QUEUE_METADATA_FILE))) {
            throw new JournalException("journal directory " + absolute + " holds no journal (no "
                    + SingleChronicleQueue.QUEUE_METADATA_FILE + "): nothing was recorded there yet; check --dir / RKJ_DIR");
        }
        QueueFiles.checkHeaders(absolute);
        SingleChronicleQueue queue;
        try {
            queue = SingleChronicleQueueBuilder.binary(absolute)
                    .rollCycle(rollCycle)
                    .readOnly(true)
                    .build();
        } catch (RuntimeException | AssertionError | InternalError e) {
            throw new JournalException("journal " + absolute + " cannot be opened for reading (" + Messages.describe(e)
                    + "): check that its files are readable, or restore the directory from a backup", e);
        }
        ChronicleJournal journal = new ChronicleJournal(absolute, registry, Clock.systemUTC(), queue, backoff, true);
        JournalException damage = journal.tailDamage();
        if (damage == null) {
            return journal;
        }
        TornTail.Tear tear;
        try {
            tear = TornTail.findReadOnly(absolute, rollCycle);
        } catch (RuntimeException e) {
            tear = null;
        }
        String torn = "journal " + absolute + " ends in a torn record (a write cut short by a crash or a full disk),"
                + " which a read-only open cannot repair";
        String repairs = "the next rkj command that writes there (e.g. rkj image gc, run by a user who can write it)"
                + " repairs it";
        if (tear == null || tear.lastKept() == null) {
            journal.close();
            throw tear == null ? damage : new JournalException(torn + ": " + repairs, damage);
        }
        StoredEnvelope kept = tear.lastKept();
        journal.bound = new Link(tear.lastKeptExcerpt(), kept.index(), kept.hash());
        journal.last = journal.bound;
        journal.unrepairedTear = torn + ": only the " + (kept.index() + 1) + " events before it are read; " + repairs;
        return journal;
    }

    static ChronicleJournal open(Path dir, EventRegistry registry, Clock clock, RollCycle rollCycle,
                                 TailBackoff backoff) throws JournalException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(registry, "registry");
        Path absolute = dir.toAbsolutePath().normalize();
        QueueFiles.prepareDirectory(absolute);
        QueueFiles.setAsideEmpty(absolute, Instant.now());
        QueueFiles.checkHeaders(absolute);
        ChronicleJournal journal = openQueue(absolute, registry, clock, rollCycle, backoff);
        JournalException damage = journal.tailDamage();
        if (damage == null) {
            return journal;
        }
        journal.close();
        return repairTornTail(absolute, registry, clock, rollCycle, backoff, damage);
    }

    /**
     * The newest file's tail is unreadable: if it is torn (nothing intact after the damage), keeps
     * the file aside, rewrites it with its complete records, lowers the head to match, records
     * {@link JournalRepaired} and returns the reopened journal; otherwise throws {@code damage}.
     */
    private static ChronicleJournal repairTornTail(Path dir, EventRegistry registry, Clock clock, RollCycle rollCycle,
                                                   TailBackoff backoff, JournalException damage)
            throws JournalException {
        JournalHead head = new JournalHead(dir);
        long headIndex;
        try {
            headIndex = head.read().map(JournalHead.Head::index).orElse(-1L);
        } catch (JournalException unreadableHead) {
            headIndex = -1;
        }
        TornTail.Repair repair = TornTail.repairIfTorn(dir, rollCycle, clock);
        if (repair == null) {
            throw damage;
        }
        ChronicleJournal journal = openQueue(dir, registry, clock, rollCycle, backoff);
        try {
            JournalException still = journal.tailDamage();
            if (still != null) {
                throw still;
            }
            Link kept = journal.last;
            if (kept == null) {
                head.clear();
            } else {
                head.lowerTo(new JournalHead.Head(kept.index(), kept.hash()));
            }
            long first = kept == null ? 0 : kept.index() + 1;
            JournalRepaired event = new JournalRepaired(repair.file(), repair.keptAs(), first,
                    Math.max(first + repair.dropped() - 1, headIndex));
            journal.append(JournalRepaired.AGGREGATE, event);
            journal.repaired = event;
            return journal;
        } catch (JournalException | RuntimeException e) {
            journal.close();
            throw e;
        }
    }

    private static ChronicleJournal openQueue(Path absolute, EventRegistry registry, Clock clock, RollCycle rollCycle,
                                              TailBackoff backoff) throws JournalException {
        SingleChronicleQueue queue;
        try {
            queue = SingleChronicleQueueBuilder.binary(absolute)
                    .rollCycle(rollCycle)
                    .timeProvider(new ClockTimeProvider(clock))
                    .build();
        } catch (RuntimeException | AssertionError | InternalError e) {
            throw new JournalException("journal " + absolute + " cannot be opened (" + Messages.describe(e)
                    + "): a queue file there is damaged or held by a stuck process; restore the directory from a"
                    + " backup, or move the damaged file aside", e);
        }
        return new ChronicleJournal(absolute, registry, clock, queue, backoff);
    }

    /** Null if the newest envelope reads back intact; otherwise the error that says where it is damaged. */
    private JournalException tailDamage() {
        try {
            Link found = findLast();
            if (found != null && !intact(found)) {
                return QueueFiles.damaged(fileOf(found.excerpt()), "its newest event, " + found.index()
                        + ", does not match its hash (cut short or altered)", null);
            }
            return null;
        } catch (JournalException e) {
            return e;
        } catch (RuntimeException | AssertionError | InternalError e) {
            return new JournalException("journal " + dir + " cannot be read (" + Messages.describe(e)
                    + "): a queue file there is damaged; restore the directory from a backup", e);
        }
    }

    /** Whether the envelope at {@code link} reads back and matches its own hash. */
    private boolean intact(Link link) {
        lock.lock();
        try {
            ExcerptTailer t = lookup();
            lookupAfter = UNKNOWN;
            if (!t.moveToIndex(link.excerpt())) {
                return false;
            }
            try (DocumentContext dc = t.readingDocument()) {
                if (!dc.isPresent() || dc.index() != link.excerpt()) {
                    return false;
                }
                StoredEnvelope e = EnvelopeFormat.read(dc.wire().bytes());
                lookupAfter = link.excerpt();
                return java.util.Arrays.equals(chain.hash(e), e.hash());
            } catch (EnvelopeFormat.BadEnvelope bad) {
                return false;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * For a journal opened with {@link #openReadOnly} whose newest file ends in a torn record: the
     * warning to show (one line). Such a journal reads the events before the tear and no further
     * (appends made since by other processes are not seen); its {@link #verify} fails at the tear.
     */
    public Optional<String> unrepairedTear() {
        return Optional.ofNullable(unrepairedTear);
    }

    /**
     * The repair made when this journal was opened, if its newest file ended in a torn record:
     * {@link JournalRepaired#describe()} is the warning to show. The event is also in the journal.
     */
    public Optional<JournalRepaired> repaired() {
        return Optional.ofNullable(repaired);
    }

    /** The journal directory (absolute). */
    public Path directory() {
        return dir;
    }

    @Override
    public EventRegistry registry() {
        return registry;
    }

    @Override
    public Envelope append(String aggregateId, Record event) throws JournalException {
        checkOpen();
        checkWritable();
        PreparedEvent prepared = PreparedEvent.of(registry, aggregateId, event);
        Envelope envelope;
        lock.lock();
        try {
            checkOpen();
            envelope = appendLocked(prepared);
        } finally {
            lock.unlock();
        }
        tails.wakeAll();
        headWriter.offer(new JournalHead.Head(envelope.index(), envelope.hash()));
        return envelope;
    }

    @Override
    public List<Envelope> appendAll(String aggregateId, List<? extends Record> events) throws JournalException {
        try {
            return appendBatch(aggregateId, events, -1);
        } catch (AppendConflict impossible) {
            throw new AssertionError("an unconditional append has no condition to fail", impossible);
        }
    }

    @Override
    public List<Envelope> appendIfUnchanged(String aggregateId, long decidedAt, List<? extends Record> events)
            throws JournalException, AppendConflict {
        if (decidedAt < 0) {
            throw new IllegalArgumentException("decidedAt must be 0 or more, got " + decidedAt
                    + ": pass the journal's nextIndex() read with the aggregate's state");
        }
        return appendBatch(aggregateId, events, decidedAt);
    }

    /**
     * Appends {@code events} in order under the write lock; with {@code decidedAt} 0 or more, only if
     * {@code aggregateId} has no envelope at or after it (checked with the first event's write).
     */
    private List<Envelope> appendBatch(String aggregateId, List<? extends Record> events, long decidedAt)
            throws JournalException, AppendConflict {
        checkOpen();
        checkWritable();
        Objects.requireNonNull(events, "events");
        List<PreparedEvent> prepared = new ArrayList<>(events.size());
        for (Record event : events) {
            prepared.add(PreparedEvent.of(registry, aggregateId, event));
        }
        Unchanged condition = decidedAt < 0 ? null : new Unchanged(aggregateId,
                aggregateId.getBytes(java.nio.charset.StandardCharsets.UTF_8), decidedAt);
        List<Envelope> appended = new ArrayList<>(prepared.size());
        lock.lock();
        try {
            checkOpen();
            if (condition != null) {
                long end = nextIndex(); // the journal only grows: a decidedAt within it now stays within it
                if (decidedAt > end) {
                    throw new IllegalArgumentException("decidedAt " + decidedAt + " is beyond the journal's end (its"
                            + " next index is " + end + "): pass the journal's nextIndex() read with the aggregate's state");
                }
                if (prepared.isEmpty()) {
                    checkUnchanged(condition, end - 1);
                    return appended;
                }
            }
            for (PreparedEvent p : prepared) {
                try {
                    appended.add(appendLocked(p, appended.isEmpty() ? condition : null));
                } catch (JournalException e) {
                    if (appended.isEmpty()) {
                        throw e;
                    }
                    throw new JournalException(e.getMessage() + " (the batch's first " + appended.size() + " of "
                            + prepared.size() + " events were appended, up to index "
                            + appended.get(appended.size() - 1).index() + ")", e);
                }
            }
        } finally {
            lock.unlock();
            if (!appended.isEmpty()) {
                tails.wakeAll();
                Envelope newest = appended.get(appended.size() - 1);
                headWriter.offer(new JournalHead.Head(newest.index(), newest.hash()));
            }
        }
        return appended;
    }

    /** The condition of a conditional append: no envelope of {@code aggregate} at or after {@code decidedAt}. */
    private record Unchanged(String aggregateId, byte[] aggregate, long decidedAt) {}

    /**
     * Checks {@code condition} against envelopes {@code decidedAt..lastIndex} (under the lock, and
     * under Chronicle's write lock when appending, so nothing can be appended meanwhile).
     */
    private void checkUnchanged(Unchanged condition, long lastIndex) throws JournalException, AppendConflict {
        long from = condition.decidedAt();
        if (from > lastIndex) {
            return;
        }
        try (ChronicleReader reader = new ChronicleReader(this, queue)) {
            reader.seek(from);
            for (long expected = from; expected <= lastIndex; expected++) {
                StoredEnvelope stored = reader.nextExpected();
                if (stored == null || stored.index() != expected) {
                    throw reader.damagedHere("event " + expected + " cannot be read while checking a conditional"
                            + " append for " + condition.aggregateId() + " (removed, reordered or unreadable events)");
                }
                if (java.util.Arrays.equals(stored.aggregate(), condition.aggregate())) {
                    throw new AppendConflict(condition.aggregateId(), from, expected);
                }
            }
        }
    }

    private Envelope appendLocked(PreparedEvent p) throws JournalException {
        try {
            return appendLocked(p, null);
        } catch (AppendConflict impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private Envelope appendLocked(PreparedEvent p, Unchanged condition) throws JournalException, AppendConflict {
        try {
            return appendOnce(p, condition);
        } finally {
            if (appenderFaulted) {
                appenderFaulted = false;
                resetAppender();
            }
        }
    }

    private Envelope appendOnce(PreparedEvent p, Unchanged condition) throws JournalException, AppendConflict {
        DocumentContext dc;
        try {
            dc = appender().writingDocument();
        } catch (RuntimeException | AssertionError | InternalError e) {
            throw writeFailure(e);
        }
        Link written = null;
        StoredEnvelope stored = null;
        try {
            long excerpt = dc.index();
            Link previous = linkBefore(excerpt);
            long index = previous == null ? 0 : previous.index() + 1;
            if (condition != null) {
                checkUnchanged(condition, index - 1); // under Chronicle's write lock: no append can come between
            }
            byte[] previousHash = previous == null ? HashChain.GENESIS : previous.hash();
            Instant time = clock.instant();
            byte[] hash = chain.hash(previousHash, index, time.getEpochSecond(), time.getNano(), p.aggregate(),
                    p.typeName(), p.type().version(), p.payload());
            stored = StoredEnvelope.of(index, time, p, previousHash, hash);
            Bytes<?> bytes = dc.wire().bytes();
            reserve.ensure(appendFile(excerpt), bytes.writePosition(), EnvelopeFormat.length(stored));
            EnvelopeFormat.write(bytes, stored);
            written = new Link(excerpt, index, hash);
        } catch (RuntimeException | AssertionError | InternalError e) {
            throw writeFailure(e);
        } finally {
            if (written == null) {
                last = null;
                dc.rollbackOnClose();
            }
            try {
                dc.close();
            } catch (RuntimeException | AssertionError | InternalError e) {
                last = null;
                if (written != null) {
                    throw writeFailure(e);
                }
            }
        }
        last = written;
        return new Envelope(stored.index(), stored.time(), p.aggregateId(), p.type(), p.payloadJson(), p.event(),
                stored.previousHash(), stored.hash());
    }

    /** The envelope just before the excerpt being written (under both locks), or null if there is none. */
    private Link linkBefore(long excerpt) throws JournalException {
        long sequence = rollCycle.toSequenceNumber(excerpt);
        if (sequence > 0) {
            Link cached = last;
            if (cached != null && cached.excerpt() == excerpt - 1) {
                return cached;
            }
            return readLink(excerpt - 1);
        }
        // The first excerpt of a day file: the envelope before is the last of an earlier file.
        int cycle = rollCycle.toCycle(excerpt);
        int first = queue.firstCycle();
        if (first >= cycle) {
            return null;
        }
        // Both ends must be existing files: this excerpt's file exists, the day before may not.
        NavigableSet<Long> earlier = queue.listCyclesBetween(first, cycle).headSet((long) cycle, false);
        lookupAfter = UNKNOWN; // counting may move the look-up tailer
        for (Long c : earlier.descendingSet()) {
            long count = lookup().excerptsInCycle(c.intValue());
            if (count > 0) {
                return readLink(rollCycle.toIndex(c.intValue(), count - 1));
            }
        }
        return null;
    }

    /** Reads the envelope at {@code excerpt} with the look-up tailer (under the lock), leaving the tailer after it. */
    private Link readLink(long excerpt) throws JournalException {
        ExcerptTailer t = lookup();
        lookupAfter = UNKNOWN;
        if (!t.moveToIndex(excerpt)) {
            throw QueueFiles.damaged(fileOf(excerpt), "excerpt " + rollCycle.toSequenceNumber(excerpt)
                    + ", an event before the newest, cannot be found", null);
        }
        try (DocumentContext dc = t.readingDocument()) {
            if (!dc.isPresent() || dc.index() != excerpt) {
                throw QueueFiles.damaged(fileOf(excerpt), "excerpt " + rollCycle.toSequenceNumber(excerpt)
                        + " is listed in the index but cannot be read", null);
            }
            excerptsRead.increment();
            StoredEnvelope e = EnvelopeFormat.read(dc.wire().bytes());
            lookupAfter = excerpt;
            return new Link(excerpt, e.index(), e.hash());
        } catch (EnvelopeFormat.BadEnvelope bad) {
            throw QueueFiles.damaged(fileOf(excerpt), "excerpt " + rollCycle.toSequenceNumber(excerpt)
                    + " is not a readable envelope (" + bad.getMessage() + ")", null);
        }
    }

    /**
     * Finds the newest envelope (under the lock). The look-up tailer sits after the newest
     * envelope known, so this is usually one read that finds nothing; only when that place is
     * unknown does it ask Chronicle for its last index, which costs tens of microseconds.
     */
    private Link findLast() throws JournalException {
        if (bound != null) {
            return bound;
        }
        if (holdsNoQueueFile()) {
            return null;
        }
        lock.lock();
        try {
            ExcerptTailer t = lookup();
            pinOldest();
            Link found = last;
            if (found != null) {
                if (lookupAfter != found.excerpt()) {
                    found = readLink(found.excerpt());
                }
            } else if (lookupAfter == UNKNOWN || lookupAfter >= 0) {
                long newest = queue.lastIndex();
                if (newest >= 0) {
                    found = readLink(newest);
                } else {
                    t.toStart();
                    lookupAfter = BEFORE_FIRST;
                }
            }
            while (true) { // appends by other processes since, or excerpts Chronicle's index does not know yet
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    excerptsRead.increment();
                    long excerpt = dc.index();
                    lookupAfter = UNKNOWN;
                    try {
                        StoredEnvelope e = EnvelopeFormat.read(dc.wire().bytes());
                        found = new Link(excerpt, e.index(), e.hash());
                        lookupAfter = excerpt;
                    } catch (EnvelopeFormat.BadEnvelope bad) {
                        throw QueueFiles.damaged(fileOf(excerpt), "excerpt " + rollCycle.toSequenceNumber(excerpt)
                                + (found == null ? "" : ", after event " + found.index() + ",")
                                + " is not a readable envelope (" + bad.getMessage() + ")", null);
                    }
                }
            }
            last = found;
            return found;
        } catch (RuntimeException | AssertionError | InternalError e) { // assertions: Chronicle's own checks
            lookupAfter = UNKNOWN;
            throw QueueFiles.damaged(newestFile(), "its newest event cannot be read (Chronicle: "
                    + Messages.describe(e) + ")", e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long firstIndex() throws JournalException {
        return anchor().map(JournalAnchor::firstIndex).orElse(0L);
    }

    /** Where a pruned journal starts (the hash trusted there), or empty if nothing was pruned. */
    @Override
    public Optional<JournalAnchor> anchor() throws JournalException {
        return JournalAnchor.read(dir);
    }

    /**
     * The day files retention lets go, oldest first, and the journal's first index once they are gone.
     *
     * @param files      the queue files to delete
     * @param bytes      their size
     * @param firstIndex the first index of the oldest file kept: the new first index
     */
    public record PrunePlan(List<Path> files, long bytes, long firstIndex) {
        public PrunePlan {
            files = List.copyOf(files);
        }
    }

    /**
     * Which day files {@code retention} lets go at {@code now}: the oldest, while every limit
     * allows it, never the newest one. Reads only.
     */
    public PrunePlan planPrune(Retention retention, Instant now) throws JournalException {
        checkOpen();
        long first = firstIndex();
        List<Path> none = List.of();
        if (holdsNoQueueFile()) {
            return new PrunePlan(none, 0, first);
        }
        List<Long> cycles;
        try {
            queue.refreshDirectoryListing();
            cycles = new ArrayList<>(queue.listCyclesBetween(queue.firstCycle(), queue.lastCycle()));
        } catch (RuntimeException e) {
            throw new JournalException("journal " + dir + ": its day files cannot be listed (" + Messages.describe(e) + ")", e);
        }
        long[] sizes = new long[cycles.size()];
        long total = 0;
        for (int i = 0; i < cycles.size(); i++) {
            Path f = QueueFiles.fileFor(dir, rollCycle, cycles.get(i).intValue());
            try {
                sizes[i] = java.nio.file.Files.size(f);
            } catch (java.io.IOException e) {
                throw new JournalException("journal file " + f + " cannot be read (" + Messages.describe(e) + ")", e);
            }
            total += sizes[i];
        }
        long ageLimit = retention.keepAge().map(a -> now.minus(a).toEpochMilli()).orElse(Long.MAX_VALUE);
        long remaining = total;
        int cut = 0;
        for (int i = 0; i < cycles.size() - 1; i++) {
            long cycleEnd = (cycles.get(i) + 1) * rollCycle.lengthInMillis();
            boolean ageLets = cycleEnd <= ageLimit;
            boolean sizeLets = retention.keepBytes().isEmpty() || remaining > retention.keepBytes().getAsLong();
            if (!ageLets || !sizeLets) {
                break;
            }
            remaining -= sizes[i];
            cut = i + 1;
        }
        if (cut == 0) {
            return new PrunePlan(none, 0, first);
        }
        long newFirst = -1;
        try (ChronicleReader reader = new ChronicleReader(this, queue)) {
            for (int i = cut; i < cycles.size() && newFirst < 0; i++) {
                long[] found = reader.firstFrom(cycles.get(i).intValue());
                if (found != null && rollCycle.toCycle(found[0]) == cycles.get(i).intValue()) {
                    newFirst = found[1];
                }
            }
        } catch (RuntimeException e) {
            throw new JournalException("journal " + dir + " cannot be read (" + Messages.describe(e) + ")", e);
        }
        if (newFirst < 0) {
            newFirst = nextIndex();
        }
        if (newFirst <= first) {
            return new PrunePlan(none, 0, first);
        }
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < cut; i++) {
            files.add(QueueFiles.fileFor(dir, rollCycle, cycles.get(i).intValue()));
        }
        return new PrunePlan(files, total - remaining, newFirst);
    }

    /**
     * Carries out {@code plan}: records the anchor (the new first index and the hash before it),
     * then deletes the files. The caller must be able to restore state at {@code plan.firstIndex()}
     * (a projection snapshot there) before calling: the events before it are gone afterwards.
     *
     * @throws JournalException if the anchor cannot be written (nothing is deleted) or a file cannot be deleted
     */
    public void prune(PrunePlan plan) throws JournalException {
        checkOpen();
        checkWritable();
        if (plan.files().isEmpty()) {
            return;
        }
        long at = plan.firstIndex();
        if (at > nextIndex()) {
            throw new IllegalArgumentException("cannot prune up to " + at + ": the journal holds " + nextIndex() + " events");
        }
        byte[][] hash = new byte[1][];
        try {
            replay(at - 1, env -> {
                hash[0] = env.hash();
                throw new PrunedHashFound();
            });
        } catch (PrunedHashFound found) {
            // the one envelope needed
        }
        new JournalAnchor(at, hash[0]).write(dir);
        for (Path f : plan.files()) {
            try {
                java.nio.file.Files.deleteIfExists(f);
            } catch (java.io.IOException e) {
                throw new JournalException("journal file " + f + " cannot be deleted (" + Messages.describe(e)
                        + "): check its permissions; the journal already starts at " + at, e);
            }
        }
        lock.lock();
        try {
            lookupAfter = UNKNOWN;
            queue.refreshDirectoryListing();
            unpin(); // it holds a deleted file; the next look-up pins the new oldest one
        } finally {
            lock.unlock();
        }
    }

    /** Ends the one-envelope read of {@link #prune}. */
    private static final class PrunedHashFound extends RuntimeException {
        PrunedHashFound() {
            super("found", null, false, false);
        }
    }

    @Override
    public long nextIndex() throws JournalException {
        checkOpen();
        Link found = findLast();
        return found == null ? 0 : found.index() + 1;
    }

    @Override
    public void replay(long fromIndex, Consumer<Envelope> consumer) throws JournalException {
        checkOpen();
        if (fromIndex < 0) {
            throw new IllegalArgumentException("replay must start at index 0 or later, got " + fromIndex);
        }
        Objects.requireNonNull(consumer, "consumer");
        long first = firstIndex();
        if (fromIndex < first) {
            throw new JournalPruned(fromIndex, first);
        }
        long end = nextIndex();
        if (fromIndex >= end) {
            return;
        }
        if (!resumeLock.tryLock()) { // another thread replays through the kept reader: a reader of its own
            try (ChronicleReader reader = new ChronicleReader(this, queue)) {
                reader.seek(fromIndex);
                replay(reader, fromIndex, end, consumer);
            }
            return;
        }
        try {
            ChronicleReader reader = resume;
            resume = null;
            if (reader == null || resumeAt != fromIndex) {
                if (reader != null) {
                    reader.close();
                }
                reader = new ChronicleReader(this, queue).shared();
                reader.seek(fromIndex);
            }
            try {
                replay(reader, fromIndex, end, consumer);
            } catch (JournalException | RuntimeException | Error e) {
                reader.close();
                throw e;
            }
            if (resume != null) { // a replay nested in the consumer kept its own
                resume.close();
            }
            resume = reader;
            resumeAt = end;
        } finally {
            resumeLock.unlock();
        }
    }

    /** Hands {@code consumer} the envelopes {@code fromIndex} (where {@code reader} stands) up to {@code end}. */
    private void replay(ChronicleReader reader, long fromIndex, long end, Consumer<Envelope> consumer)
            throws JournalException {
        for (long expected = fromIndex; expected < end; expected++) {
            StoredEnvelope stored = reader.nextExpected();
            if (stored == null) {
                throw reader.damagedHere("event " + expected + " cannot be read although the journal holds "
                        + end + " events (a broken excerpt header hides the rest)");
            }
            if (stored.index() != expected) {
                throw reader.damagedHere("event " + expected + " was expected but event " + stored.index()
                        + " is stored in its place (removed or reordered events)");
            }
            consumer.accept(decode(stored, reader));
        }
    }

    @Override
    public Tail tail(long fromIndex, Consumer<Envelope> handler) {
        checkOpen();
        return tails.start(fromIndex, handler, TailCursor::new);
    }

    @Override
    public VerifyResult verify() throws JournalException {
        checkOpen();
        long end;
        try {
            end = nextIndex();
        } catch (JournalException e) {
            end = Long.MAX_VALUE; // the newest excerpt is damaged: the walk below finds where
        }
        Optional<JournalHead.Head> recorded = head.read();
        Optional<JournalAnchor> anchor = anchor();
        ChainVerifier verifier = anchor.map(a -> new ChainVerifier(a.firstIndex(), a.previousHash()))
                .orElseGet(ChainVerifier::new);
        recorded.ifPresent(h -> verifier.watch(h.index()));
        try (ChronicleReader reader = holdsNoQueueFile() ? null : new ChronicleReader(this, queue)) {
            if (reader != null) {
                reader.seek(verifier.expected());
            }
            while (reader != null && !verifier.isBroken()) {
                StoredEnvelope stored;
                try {
                    stored = verifier.expected() < end ? reader.nextExpected() : reader.next();
                } catch (JournalException e) {
                    verifier.unreadable(e.getMessage());
                    break;
                }
                if (stored == null) {
                    if (verifier.expected() < end && end != Long.MAX_VALUE) {
                        verifier.unreadable(reader.damagedHere("event " + verifier.expected() + " cannot be read"
                                + " although the journal holds " + end + " events").getMessage());
                    }
                    break;
                }
                verifier.accept(stored);
            }
        }
        VerifyResult result = verifier.result();
        if (!result.ok() || recorded.isEmpty()) {
            return result;
        }
        return againstHead(result, verifier.expected(), recorded.get(), verifier.watchedHash());
    }

    /** An intact chain checked against the head file: not shorter than it, and the same envelope there. */
    private VerifyResult againstHead(VerifyResult intact, long count, JournalHead.Head recorded, byte[] hashThere) {
        long h = recorded.index();
        if (count <= h) {
            String missing = count == h ? "event " + h + " is" : "events " + count + ".." + h + " are";
            String ends = count == 0 ? "journal is empty" : "journal ends at index " + (count - 1);
            return VerifyResult.brokenAt(count, count, ends + " but its head file " + head.file() + " says " + h
                    + " was written: " + missing + " missing (a queue file was truncated, zeroed or deleted)");
        }
        if (!java.util.Arrays.equals(hashThere, recorded.hash())) {
            return VerifyResult.brokenAt(h, h, "event " + h + " is not the one the head file " + head.file()
                    + " recorded there (its hash differs: the journal was rewritten from that point)");
        }
        return intact;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        tails.closeAll();
        headWriter.close();
        resumeLock.lock();
        try {
            if (resume != null) {
                resume.close();
                resume = null;
            }
        } finally {
            resumeLock.unlock();
        }
        lock.lock();
        try {
            if (lookup != null) {
                lookup.close();
                lookup = null;
            }
            unpin();
            if (appender != null) {
                appender.close();
                appender = null;
            }
            reserve.close();
            queue.close();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "ChronicleJournal[" + dir + "]";
    }

    // ---- for readers and tests in this package

    void countRead() {
        excerptsRead.increment();
    }

    /** How many excerpts this journal has read so far (a measure of seek cost, for tests). */
    long excerptsRead() {
        return excerptsRead.sum();
    }

    JournalException readFailure(ChronicleReader reader, Throwable e) {
        if (closed) {
            throw new IllegalStateException("journal " + dir + " was closed while being read", e);
        }
        if (e instanceof InternalError) {
            return new JournalException("journal: the disk under " + dir + " failed a read of the mapped queue file ("
                    + DiskReserve.freeSpace(dir) + "; the disk is full or the file was truncated): free space there"
                    + " and retry, then run `rkj journal verify`", e);
        }
        return reader.damagedHere("Chronicle failed reading it (" + Messages.describe(e) + ")", e);
    }

    private Envelope decode(StoredEnvelope stored, ChronicleReader reader) throws JournalException {
        try {
            return stored.toEnvelope(registry);
        } catch (EventCodec.UndecodableEvent e) {
            if (!java.util.Arrays.equals(new HashChain().hash(stored), stored.hash())) {
                throw reader.damagedHere("event " + stored.index()
                        + " cannot be decoded and its bytes no longer match its hash", e);
            }
            throw new JournalException("journal " + dir + ": event " + stored.index() + " cannot be decoded: "
                    + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw reader.damagedHere("event " + stored.index() + " has an invalid wire type (" + e.getMessage() + ")");
        }
    }

    private ExcerptAppender appender() {
        if (appender == null) {
            appender = queue.createAppender();
            appender.singleThreadedCheckDisabled(true); // used only under `lock`, by whichever thread holds it
        }
        return appender;
    }

    private void resetAppender() {
        last = null;
        lookupAfter = UNKNOWN;
        if (appender != null) {
            try {
                appender.close();
            } catch (RuntimeException | InternalError ignored) {
                // the appender is being discarded because it failed; its own close failing adds nothing
            }
            appender = null;
        }
        reserve.close();
    }

    private ExcerptTailer lookup() {
        if (lookup == null) {
            lookup = queue.createTailer();
            lookup.singleThreadedCheckDisabled(true); // used only under `lock`
        }
        return lookup;
    }

    /**
     * Keeps the oldest day file open and mapped while this journal is (under the lock): every
     * Chronicle tailer starts there when it is created, before it seeks, so that without the pin
     * each replay, verify and tail would open and map that file again, a cost that grows with the
     * number of day files before the newest.
     */
    private void pinOldest() throws JournalException {
        if (pin == null && !holdsNoQueueFile() && queue.firstCycle() != Integer.MAX_VALUE) {
            pin = queue.createTailer();
            pin.singleThreadedCheckDisabled(true); // only created and closed, under `lock`
        }
    }

    private void unpin() {
        if (pin != null) {
            pin.close();
            pin = null;
        }
    }

    /** The newest day file, for messages about the journal's end; the directory if there is none. */
    private Path newestFile() {
        try {
            List<Path> files = QueueFiles.list(dir);
            return files.isEmpty() ? dir : files.get(files.size() - 1);
        } catch (JournalException e) {
            return dir;
        }
    }

    /** {@link #fileOf}, remembered for the day file being appended to (under the lock). */
    private Path appendFile(long excerpt) {
        int cycle = rollCycle.toCycle(excerpt);
        if (cycle != appendCycle || appendFile == null) {
            appendFile = QueueFiles.fileFor(dir, rollCycle, cycle);
            appendCycle = cycle;
        }
        return appendFile;
    }

    private Path fileOf(long excerpt) {
        return QueueFiles.fileFor(dir, rollCycle, rollCycle.toCycle(excerpt));
    }

    private JournalException writeFailure(Throwable e) {
        if (closed) {
            throw new IllegalStateException("journal " + dir + " was closed during the append", e);
        }
        if (String.valueOf(e.getMessage()).contains("read-only")) {
            Path metadata = dir.resolve(SingleChronicleQueue.QUEUE_METADATA_FILE);
            return new JournalException("journal " + dir + " opened read-only, so it cannot be appended to: its "
                    + metadata + " is damaged or not writable; make it writable, or move it aside (Chronicle"
                    + " rebuilds it) and retry", e);
        }
        if (e instanceof InternalError) {
            // SIGBUS on the mapped file: the disk could not back a page (full), or the file shrank under it.
            // Chronicle's appender may hold a stale position; the next append starts afresh.
            appenderFaulted = true;
            return new JournalException("journal: the disk under " + dir + " failed a write to the mapped queue file"
                    + " (" + DiskReserve.freeSpace(dir) + "; the disk is full or the file was truncated): free space"
                    + " there and retry, then run `rkj journal verify`", e);
        }
        if (e instanceof UnrecoverableTimeoutException) {
            return new JournalException("journal " + dir + " stayed locked by another writer (" + Messages.describe(e)
                    + "): check for a hung rkj process and stop it, then retry", e);
        }
        return new JournalException("journal " + dir + ": the append failed (" + Messages.describe(e)
                + "): check the disk (space, permissions), then run `rkj journal verify`", e);
    }

    /**
     * A read-only journal whose directory has no queue file (lost, or none written yet) holds no
     * event: Chronicle is not asked, as a read-only queue without its files trips its own checks.
     * A writer's journal always has its file.
     */
    private boolean holdsNoQueueFile() throws JournalException {
        if (!readOnly || sawQueueFile) {
            return false;
        }
        sawQueueFile = !QueueFiles.list(dir).isEmpty();
        return !sawQueueFile;
    }

    private void checkWritable() throws JournalException {
        if (readOnly) {
            throw new JournalException("journal " + dir + " was opened read-only (to read it without write access):"
                    + " open it with ChronicleJournal.open to record events");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("journal " + dir + " is closed: open it again");
        }
    }

    /** One tail's reader, created on the tail's own thread. */
    private final class TailCursor implements TailThread.Cursor {
        private final ChronicleReader reader;

        TailCursor(long fromIndex) throws JournalException {
            reader = new ChronicleReader(ChronicleJournal.this, queue);
            try {
                reader.seek(fromIndex);
            } catch (JournalException | RuntimeException e) {
                reader.close();
                throw e;
            }
        }

        @Override
        public Envelope next() throws JournalException {
            StoredEnvelope stored = reader.next();
            return stored == null ? null : decode(stored, reader);
        }

        @Override
        public JournalException stuck() {
            return reader.stuck();
        }

        @Override
        public void close() {
            reader.close();
        }
    }
}
