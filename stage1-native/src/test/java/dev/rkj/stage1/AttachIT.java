package dev.rkj.stage1;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.testsupport.LeakCheck;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An interactive pod's pty and attach socket ({@code <podDir>/attach}, protocol at the top of
 * rkj-stage1.c), spoken to as the CLI and the daemon do: raw output, 'd' and 'w' frames.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS) // a guard against a hang, not a threshold
class AttachIT {
    private static PodFixture.Shared shared;
    private PodFixture f;

    @BeforeAll
    static void shared() throws Exception {
        shared = new PodFixture.Shared();
    }

    @AfterAll
    static void closeShared() throws Exception {
        if (shared != null) {
            shared.close();
        }
    }

    @BeforeEach
    void pod() throws Exception {
        f = shared.pod();
    }

    @AfterEach
    void cleanup() throws Exception {
        f.close();
    }

    @Test
    void aClientSeesThePtyTypesIntoItResizesItDetachesAndReattaches() throws Exception {
        f.start(f.plan().interactive(true)
                .app(PodFixture.sh("main", "echo early-$((6*7)); exec /bin/sh").build()).build());
        // printed before anyone attached
        await().atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() -> f.log("main").contains("early-42"));
        try (SocketChannel c = connect()) {
            assertTrue(readUntil(c, "early-42").contains("early-42"), "kept output is replayed");
            send(c, 'w', new byte[] {0, 33, 0, 101});
            send(c, 'd', "stty size; tty; echo ok-$((1+1))\n".getBytes(StandardCharsets.UTF_8));
            String out = readUntil(c, "ok-2");
            assertTrue(out.contains("33 101"), out);
            assertTrue(out.contains("/dev/console") || out.contains("/dev/pts/0"), out);
            try (SocketChannel second = connect()) {
                assertEquals("rkj: pod already attached\n", readAll(second));
            }
        }
        // detached: the app runs on; output while no one is attached is kept for the next client
        try (SocketChannel c = connect()) {
            send(c, 'd', "echo again-$((2+3))\n".getBytes(StandardCharsets.UTF_8));
            readUntil(c, "again-5");
            send(c, 'd', "exit 7\n".getBytes(StandardCharsets.UTF_8));
            readAll(c); // EOF once the app is done
        }
        assertEquals(ExitStatus.exited(7), f.awaitExit());
        String log = f.log("main");
        assertTrue(log.contains("early-42") && log.contains("33 101") && log.contains("again-5"), log);
        assertFalse(Files.exists(new PodDir(f.podDir).attach()), "the socket goes with the app");
    }

    @Test
    void theAppsFileDescriptorsAreThePodsPtyNotStage1s() throws Exception {
        f.start(f.plan().interactive(true)
                .app(PodFixture.sh("main", "ls -l /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2; exit 0")
                        .build()).build());
        assertEquals(ExitStatus.exited(0), f.awaitExit());
        String log = f.log("main");
        assertEquals(3, log.lines().filter(l -> l.endsWith("-> /dev/pts/0")).count(), log);
    }

    private SocketChannel connect() throws IOException {
        return SocketChannel.open(UnixDomainSocketAddress.of(new PodDir(f.podDir).attach()));
    }

    private static void send(SocketChannel c, char type, byte[] payload) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(3 + payload.length);
        b.put((byte) type).putShort((short) payload.length).put(payload).flip();
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    private static String readUntil(SocketChannel c, String token) throws IOException {
        StringBuilder out = new StringBuilder();
        ByteBuffer b = ByteBuffer.allocate(4096);
        while (out.indexOf(token) < 0) {
            b.clear();
            if (c.read(b) < 0) {
                throw new AssertionError("EOF before `" + token + "`: " + out);
            }
            out.append(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
        }
        return out.toString();
    }

    private static String readAll(SocketChannel c) throws IOException {
        StringBuilder out = new StringBuilder();
        ByteBuffer b = ByteBuffer.allocate(4096);
        for (b.clear(); c.read(b) >= 0; b.clear()) {
            out.append(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
        }
        return out.toString();
    }
}
