package dev.rkj.stage1.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountSafeDeleteTest {
    @TempDir
    Path temp;

    @Test
    void deleteTreeRemovesSymlinksWithoutFollowingThem() throws IOException {
        Path outside = Files.writeString(Files.createDirectory(temp.resolve("outside")).resolve("keep"), "kept");
        Path tree = Files.createDirectories(temp.resolve("tree/a/b"));
        Files.writeString(tree.resolve("file"), "x");
        Files.createSymbolicLink(tree.resolve("link"), outside.getParent());

        MountSafeDelete.deleteTree(temp.resolve("tree"), MountInfo.parse(""));

        assertFalse(Files.exists(temp.resolve("tree"), LinkOption.NOFOLLOW_LINKS));
        assertEquals("kept", Files.readString(outside));
    }

    @Test
    void deleteTreeGivenASymlinkRemovesOnlyTheLink() throws IOException {
        Path target = Files.createDirectory(temp.resolve("target"));
        Files.writeString(target.resolve("keep"), "kept");
        Path link = Files.createSymbolicLink(temp.resolve("link"), target);

        MountSafeDelete.deleteTree(link, MountInfo.parse(""));

        assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS));
        assertEquals("kept", Files.readString(target.resolve("keep")));
    }

    @Test
    void deleteTreeRefusesWhileSomethingIsMountedInsideAndDeletesNothing() throws IOException {
        Path tree = Files.createDirectories(temp.resolve("pod/rootfs"));
        Files.writeString(tree.resolve("file"), "x");
        Path mountPoint = tree.toRealPath();
        MountInfo mounts = MountInfo.parse("90 22 0:50 / " + mountPoint
                + " rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n");

        IOException e = assertThrows(IOException.class,
                () -> MountSafeDelete.deleteTree(temp.resolve("pod"), mounts));

        assertTrue(e.getMessage().contains(mountPoint + " is still mounted"), e.getMessage());
        assertTrue(e.getMessage().contains("umount -R " + mountPoint), e.getMessage());
        assertTrue(Files.exists(tree.resolve("file")));
    }

    @Test
    void deleteTreeOfNothingIsSuccess() throws IOException {
        MountSafeDelete.deleteTree(temp.resolve("never-made"));

        assertFalse(Files.exists(temp.resolve("never-made")));
    }
}
