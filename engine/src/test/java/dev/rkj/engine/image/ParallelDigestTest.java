package dev.rkj.engine.image;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ParallelDigestTest {
    @Test
    void digestEqualsTheSequentialDigestWhateverTheUpdateSizes() throws Exception {
        Random random = new Random(11);
        byte[] data = new byte[3 * (1 << 18) + 12_345];
        random.nextBytes(data);
        MessageDigest sequential = Sha512.newDigest();
        sequential.update(data);
        byte[] expected = sequential.digest();

        for (int[] sizes : new int[][] {{1}, {512}, {1 << 18}, {(1 << 18) + 1}, {7, 65_536, 300_000}}) {
            try (ParallelDigest parallel = new ParallelDigest(Sha512.newDigest(), "test")) {
                int offset = 0;
                for (int i = 0; offset < data.length; i++) {
                    int n = Math.min(sizes[i % sizes.length], data.length - offset);
                    parallel.update(data, offset, n);
                    offset += n;
                }
                assertArrayEquals(expected, parallel.finish(), "update sizes " + java.util.Arrays.toString(sizes));
            }
        }
    }

    @Test
    void emptyInputGivesTheDigestOfNothing() throws Exception {
        try (ParallelDigest parallel = new ParallelDigest(Sha512.newDigest(), "empty")) {
            assertArrayEquals(Sha512.newDigest().digest(), parallel.finish());
        }
    }

    @Test
    void closingWithoutFinishingStopsTheWorkerThread() throws Exception {
        ParallelDigest parallel = new ParallelDigest(Sha512.newDigest(), "abandoned-by-test");
        parallel.update(new byte[1 << 20], 0, 1 << 20);
        assertTrue(workerAlive("abandoned-by-test"));

        parallel.close();

        await().until(() -> !workerAlive("abandoned-by-test"));
    }

    private static boolean workerAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(thread -> thread.getName().equals("rkj-sha512 " + name) && thread.isAlive());
    }
}
