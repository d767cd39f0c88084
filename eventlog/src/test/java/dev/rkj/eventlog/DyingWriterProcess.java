package dev.rkj.eventlog;

import java.nio.file.Path;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * A child JVM that dies in the middle of an append: it opens the journal's queue in
 * {@code args[0]}, starts an excerpt (taking Chronicle's write lock), writes half an envelope,
 * prints {@code holding} and halts without finishing or unlocking, as a killed process would.
 */
public final class DyingWriterProcess {
    private DyingWriterProcess() {}

    public static void main(String[] args) {
        SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(Path.of(args[0]))
                .rollCycle(RollCycles.FAST_DAILY).build();
        ExcerptAppender appender = queue.createAppender();
        DocumentContext dc = appender.writingDocument();
        dc.wire().bytes().writeInt(EnvelopeFormat.MAGIC).writeLong(Long.MAX_VALUE);
        System.out.println("holding");
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
