package dev.rkj.eventlog;

import java.util.ArrayList;
import java.util.List;

/**
 * A counter kept as events of one aggregate, incremented by conditional appends: the state is
 * folded from the journal up to a known index, the next value decided against it, and appended
 * only if the aggregate is unchanged since; on a conflict it catches up and decides again. With
 * several such counters on one journal (threads or processes), every value must be taken once.
 */
final class CasCounter {
    static final String AGGREGATE = "counter";

    private final Journal journal;
    private final String tag;
    private long position;
    private int value;
    private int conflicts;

    CasCounter(Journal journal, String tag) {
        this.journal = journal;
        this.tag = tag;
    }

    /** Takes the next value; returns it. */
    int increment() throws JournalException {
        while (true) {
            catchUp();
            int next = value;
            try {
                journal.appendIfUnchanged(AGGREGATE, position, List.of(new TestEvents.Note(tag + ":" + next)));
                return next;
            } catch (AppendConflict conflict) {
                if (!conflict.aggregateId().equals(AGGREGATE) || conflict.decidedAt() != position
                        || conflict.newerIndex() < position) {
                    throw new AssertionError("conflict does not describe the refused append: " + conflict.getMessage());
                }
                conflicts++;
            }
        }
    }

    int conflicts() {
        return conflicts;
    }

    private void catchUp() throws JournalException {
        journal.replay(position, e -> {
            if (e.aggregateId().equals(AGGREGATE)) {
                value++;
            }
            position = e.index() + 1;
        });
    }

    /** The values recorded in the journal, in index order ("tag:value" texts stripped to values). */
    static List<Integer> values(Journal journal) throws JournalException {
        List<Integer> values = new ArrayList<>();
        journal.replay(0, e -> {
            if (e.aggregateId().equals(AGGREGATE)) {
                String text = ((TestEvents.Note) e.event()).text();
                values.add(Integer.parseInt(text.substring(text.indexOf(':') + 1)));
            }
        });
        return values;
    }
}
