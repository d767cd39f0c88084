package dev.rkj.stage1.kernel;

import java.util.Map;

/** errno values rkj acts on, and names for errno ({@code EBUSY}, "Device or resource busy"). */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int ECHILD = 10;
    public static final int EAGAIN = 11;
    public static final int EWOULDBLOCK = EAGAIN;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENOTDIR = 20;
    public static final int EINVAL = 22;
    public static final int ENOTTY = 25;
    public static final int EROFS = 30;
    public static final int ENOSYS = 38;
    public static final int ENOTEMPTY = 39;

    /** Linux x86_64/arm64 numbering (asm-generic): name and the C library's description. */
    private static final Map<Integer, String[]> NAMES = Map.ofEntries(
            Map.entry(1, new String[] {"EPERM", "Operation not permitted"}),
            Map.entry(2, new String[] {"ENOENT", "No such file or directory"}),
            Map.entry(3, new String[] {"ESRCH", "No such process"}),
            Map.entry(4, new String[] {"EINTR", "Interrupted system call"}),
            Map.entry(5, new String[] {"EIO", "Input/output error"}),
            Map.entry(6, new String[] {"ENXIO", "No such device or address"}),
            Map.entry(7, new String[] {"E2BIG", "Argument list too long"}),
            Map.entry(8, new String[] {"ENOEXEC", "Exec format error"}),
            Map.entry(9, new String[] {"EBADF", "Bad file descriptor"}),
            Map.entry(10, new String[] {"ECHILD", "No child processes"}),
            Map.entry(11, new String[] {"EAGAIN", "Resource temporarily unavailable"}),
            Map.entry(12, new String[] {"ENOMEM", "Cannot allocate memory"}),
            Map.entry(13, new String[] {"EACCES", "Permission denied"}),
            Map.entry(14, new String[] {"EFAULT", "Bad address"}),
            Map.entry(15, new String[] {"ENOTBLK", "Block device required"}),
            Map.entry(16, new String[] {"EBUSY", "Device or resource busy"}),
            Map.entry(17, new String[] {"EEXIST", "File exists"}),
            Map.entry(18, new String[] {"EXDEV", "Invalid cross-device link"}),
            Map.entry(19, new String[] {"ENODEV", "No such device"}),
            Map.entry(20, new String[] {"ENOTDIR", "Not a directory"}),
            Map.entry(21, new String[] {"EISDIR", "Is a directory"}),
            Map.entry(22, new String[] {"EINVAL", "Invalid argument"}),
            Map.entry(23, new String[] {"ENFILE", "Too many open files in system"}),
            Map.entry(24, new String[] {"EMFILE", "Too many open files"}),
            Map.entry(25, new String[] {"ENOTTY", "Inappropriate ioctl for device"}),
            Map.entry(26, new String[] {"ETXTBSY", "Text file busy"}),
            Map.entry(27, new String[] {"EFBIG", "File too large"}),
            Map.entry(28, new String[] {"ENOSPC", "No space left on device"}),
            Map.entry(29, new String[] {"ESPIPE", "Illegal seek"}),
            Map.entry(30, new String[] {"EROFS", "Read-only file system"}),
            Map.entry(31, new String[] {"EMLINK", "Too many links"}),
            Map.entry(32, new String[] {"EPIPE", "Broken pipe"}),
            Map.entry(33, new String[] {"EDOM", "Numerical argument out of domain"}),
            Map.entry(34, new String[] {"ERANGE", "Numerical result out of range"}),
            Map.entry(35, new String[] {"EDEADLK", "Resource deadlock avoided"}),
            Map.entry(36, new String[] {"ENAMETOOLONG", "File name too long"}),
            Map.entry(37, new String[] {"ENOLCK", "No locks available"}),
            Map.entry(38, new String[] {"ENOSYS", "Function not implemented"}),
            Map.entry(39, new String[] {"ENOTEMPTY", "Directory not empty"}),
            Map.entry(40, new String[] {"ELOOP", "Too many levels of symbolic links"}),
            Map.entry(61, new String[] {"ENODATA", "No data available"}),
            Map.entry(75, new String[] {"EOVERFLOW", "Value too large for defined data type"}),
            Map.entry(95, new String[] {"EOPNOTSUPP", "Operation not supported"}),
            Map.entry(110, new String[] {"ETIMEDOUT", "Connection timed out"}),
            Map.entry(111, new String[] {"ECONNREFUSED", "Connection refused"}),
            Map.entry(113, new String[] {"EHOSTUNREACH", "No route to host"}),
            Map.entry(121, new String[] {"EREMOTEIO", "Remote I/O error"}),
            Map.entry(122, new String[] {"EDQUOT", "Disk quota exceeded"}));

    private Errno() {}

    /** The symbolic name, such as {@code EBUSY}, or {@code errno 999} when not in the table. */
    public static String name(int errno) {
        String[] e = NAMES.get(errno);
        return e == null ? "errno " + errno : e[0];
    }

    /** The C library's description, such as "Device or resource busy". */
    public static String describe(int errno) {
        String[] e = NAMES.get(errno);
        return e == null ? "Unknown error " + errno : e[1];
    }

    /** {@code EBUSY (Device or resource busy)}. */
    public static String format(int errno) {
        return name(errno) + " (" + describe(errno) + ")";
    }
}
