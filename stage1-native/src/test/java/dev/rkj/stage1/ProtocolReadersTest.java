package dev.rkj.stage1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.stage1.kernel.Kernel;
import dev.rkj.stage1.kernel.LinuxKernel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Real pipes, no root: one reading thread serves every pipe, each in order, and ends each at its EOF. */
class ProtocolReadersTest {
    private final Kernel kernel = LinuxKernel.get();

    @Test
    void readsLinesOfManyPipesInOrderAndEndsEachAtItsEndOfFile() throws Exception {
        ProtocolReaders readers = new ProtocolReaders(kernel);
        int[] a = kernel.pipe2(Kernel.O_CLOEXEC);
        int[] b = kernel.pipe2(Kernel.O_CLOEXEC);
        List<String> linesA = new CopyOnWriteArrayList<>();
        List<String> linesB = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        CompletableFuture<IOException> endA = new CompletableFuture<>();
        CompletableFuture<IOException> endB = new CompletableFuture<>();
        readers.add(a[0], "a", line -> {
            threads.add(Thread.currentThread().getName());
            linesA.add(line);
        }, endA::complete);
        kernel.write(a[1], bytes("started app 12\nexit"));
        readers.add(b[0], "b", linesB::add, endB::complete); // added while the thread polls a
        kernel.write(b[1], bytes("one\n"));
        kernel.write(a[1], bytes("ed app 0\n"));
        kernel.close(a[1]);
        assertNull(endA.get(10, TimeUnit.SECONDS), "a ends without an error");
        assertEquals(List.of("started app 12", "exited app 0"), linesA);
        kernel.write(b[1], bytes("two\n"));
        kernel.close(b[1]);
        assertNull(endB.get(10, TimeUnit.SECONDS));
        assertEquals(List.of("one", "two"), linesB);

        int[] c = kernel.pipe2(Kernel.O_CLOEXEC); // after every pipe ended: the same thread, lingering, takes it
        CompletableFuture<IOException> endC = new CompletableFuture<>();
        List<String> linesC = new CopyOnWriteArrayList<>();
        readers.add(c[0], "c", line -> {
            threads.add(Thread.currentThread().getName());
            linesC.add(line);
        }, endC::complete);
        kernel.write(c[1], bytes("three\n"));
        kernel.close(c[1]);
        assertNull(endC.get(10, TimeUnit.SECONDS));
        assertEquals(List.of("three"), linesC);
        assertEquals(1, threads.stream().distinct().count(), "one thread read a, then c: " + threads);
        assertTrue(threads.get(0).contains("(first: a)"), threads.get(0));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
