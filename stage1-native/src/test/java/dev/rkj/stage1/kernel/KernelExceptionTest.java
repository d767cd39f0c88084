package dev.rkj.stage1.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class KernelExceptionTest {
    @Test
    void messageNamesTheCallThePathAndTheErrno() {
        KernelException e = new KernelException("mount", "/x/rootfs", Errno.EBUSY);
        assertEquals("mount `/x/rootfs`: EBUSY (Device or resource busy)", e.getMessage());
        assertEquals("EBUSY", e.errnoName());
        assertEquals(16, e.errno());
    }

    @Test
    void hintFollowsTheErrno() {
        KernelException e = new KernelException("umount2", "/p", Errno.EBUSY, "stop it and retry");
        assertEquals("umount2 `/p`: EBUSY (Device or resource busy): stop it and retry", e.getMessage());
    }

    @Test
    void errnoNamesMatchTheLinuxNumbering() {
        assertEquals("ENOENT (No such file or directory)", Errno.format(2));
        assertEquals("EROFS (Read-only file system)", Errno.format(30));
        assertEquals("EOPNOTSUPP", Errno.name(95));
        assertEquals("errno 4242", Errno.name(4242));
    }
}
