package dev.rkj.eventlog;

/**
 * The journal repaired a torn tail when it was opened: the newest queue file ended in a record cut
 * short (a crash or a full disk in the middle of an append). The file was kept aside as evidence
 * and rewritten with its complete records; events {@code firstDropped..lastDropped} were lost.
 * Appended under the aggregate {@link #AGGREGATE}.
 *
 * @param file         the queue file's name in the journal directory
 * @param keptAs       where the damaged original was kept, relative to the journal directory
 * @param firstDropped the first index dropped
 * @param lastDropped  the last index known to have been written (from the head file or the torn
 *                     records counted), at least {@code firstDropped}
 */
@WireName("journal.repaired")
public record JournalRepaired(String file, String keptAs, long firstDropped, long lastDropped) {
    public static final String AGGREGATE = "journal";

    /** The one-line warning for people: what was dropped and where the evidence is. */
    public String describe() {
        String dropped = firstDropped == lastDropped ? "event " + firstDropped : "events " + firstDropped + ".." + lastDropped;
        return "journal: the last record of " + file + " was torn (a crash or a full disk); " + dropped
                + " dropped, the damaged file was kept as " + keptAs + " and the complete records kept";
    }
}
