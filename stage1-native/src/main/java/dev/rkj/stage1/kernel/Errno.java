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

    /**
     * Every errno name Linux defines (asm-generic, as on x86-64 and arm64), with the aliases
     * (EWOULDBLOCK, EDEADLOCK, and ENOTSUP, which glibc gives EOPNOTSUPP's number), POSIX.1-2001's
     * and C99's among them: what a seccomp isolator may name.
     */
    private static final Map<String, Integer> NUMBERS = Map.ofEntries(
            Map.entry("EPERM", 1),
            Map.entry("ENOENT", 2),
            Map.entry("ESRCH", 3),
            Map.entry("EINTR", 4),
            Map.entry("EIO", 5),
            Map.entry("ENXIO", 6),
            Map.entry("E2BIG", 7),
            Map.entry("ENOEXEC", 8),
            Map.entry("EBADF", 9),
            Map.entry("ECHILD", 10),
            Map.entry("EAGAIN", 11),
            Map.entry("EWOULDBLOCK", 11),
            Map.entry("ENOMEM", 12),
            Map.entry("EACCES", 13),
            Map.entry("EFAULT", 14),
            Map.entry("ENOTBLK", 15),
            Map.entry("EBUSY", 16),
            Map.entry("EEXIST", 17),
            Map.entry("EXDEV", 18),
            Map.entry("ENODEV", 19),
            Map.entry("ENOTDIR", 20),
            Map.entry("EISDIR", 21),
            Map.entry("EINVAL", 22),
            Map.entry("ENFILE", 23),
            Map.entry("EMFILE", 24),
            Map.entry("ENOTTY", 25),
            Map.entry("ETXTBSY", 26),
            Map.entry("EFBIG", 27),
            Map.entry("ENOSPC", 28),
            Map.entry("ESPIPE", 29),
            Map.entry("EROFS", 30),
            Map.entry("EMLINK", 31),
            Map.entry("EPIPE", 32),
            Map.entry("EDOM", 33),
            Map.entry("ERANGE", 34),
            Map.entry("EDEADLK", 35),
            Map.entry("EDEADLOCK", 35),
            Map.entry("ENAMETOOLONG", 36),
            Map.entry("ENOLCK", 37),
            Map.entry("ENOSYS", 38),
            Map.entry("ENOTEMPTY", 39),
            Map.entry("ELOOP", 40),
            Map.entry("ENOMSG", 42),
            Map.entry("EIDRM", 43),
            Map.entry("ECHRNG", 44),
            Map.entry("EL2NSYNC", 45),
            Map.entry("EL3HLT", 46),
            Map.entry("EL3RST", 47),
            Map.entry("ELNRNG", 48),
            Map.entry("EUNATCH", 49),
            Map.entry("ENOCSI", 50),
            Map.entry("EL2HLT", 51),
            Map.entry("EBADE", 52),
            Map.entry("EBADR", 53),
            Map.entry("EXFULL", 54),
            Map.entry("ENOANO", 55),
            Map.entry("EBADRQC", 56),
            Map.entry("EBADSLT", 57),
            Map.entry("EBFONT", 59),
            Map.entry("ENOSTR", 60),
            Map.entry("ENODATA", 61),
            Map.entry("ETIME", 62),
            Map.entry("ENOSR", 63),
            Map.entry("ENONET", 64),
            Map.entry("ENOPKG", 65),
            Map.entry("EREMOTE", 66),
            Map.entry("ENOLINK", 67),
            Map.entry("EADV", 68),
            Map.entry("ESRMNT", 69),
            Map.entry("ECOMM", 70),
            Map.entry("EPROTO", 71),
            Map.entry("EMULTIHOP", 72),
            Map.entry("EDOTDOT", 73),
            Map.entry("EBADMSG", 74),
            Map.entry("EOVERFLOW", 75),
            Map.entry("ENOTUNIQ", 76),
            Map.entry("EBADFD", 77),
            Map.entry("EREMCHG", 78),
            Map.entry("ELIBACC", 79),
            Map.entry("ELIBBAD", 80),
            Map.entry("ELIBSCN", 81),
            Map.entry("ELIBMAX", 82),
            Map.entry("ELIBEXEC", 83),
            Map.entry("EILSEQ", 84),
            Map.entry("ERESTART", 85),
            Map.entry("ESTRPIPE", 86),
            Map.entry("EUSERS", 87),
            Map.entry("ENOTSOCK", 88),
            Map.entry("EDESTADDRREQ", 89),
            Map.entry("EMSGSIZE", 90),
            Map.entry("EPROTOTYPE", 91),
            Map.entry("ENOPROTOOPT", 92),
            Map.entry("EPROTONOSUPPORT", 93),
            Map.entry("ESOCKTNOSUPPORT", 94),
            Map.entry("ENOTSUP", 95),
            Map.entry("EOPNOTSUPP", 95),
            Map.entry("EPFNOSUPPORT", 96),
            Map.entry("EAFNOSUPPORT", 97),
            Map.entry("EADDRINUSE", 98),
            Map.entry("EADDRNOTAVAIL", 99),
            Map.entry("ENETDOWN", 100),
            Map.entry("ENETUNREACH", 101),
            Map.entry("ENETRESET", 102),
            Map.entry("ECONNABORTED", 103),
            Map.entry("ECONNRESET", 104),
            Map.entry("ENOBUFS", 105),
            Map.entry("EISCONN", 106),
            Map.entry("ENOTCONN", 107),
            Map.entry("ESHUTDOWN", 108),
            Map.entry("ETOOMANYREFS", 109),
            Map.entry("ETIMEDOUT", 110),
            Map.entry("ECONNREFUSED", 111),
            Map.entry("EHOSTDOWN", 112),
            Map.entry("EHOSTUNREACH", 113),
            Map.entry("EALREADY", 114),
            Map.entry("EINPROGRESS", 115),
            Map.entry("ESTALE", 116),
            Map.entry("EUCLEAN", 117),
            Map.entry("ENOTNAM", 118),
            Map.entry("ENAVAIL", 119),
            Map.entry("EISNAM", 120),
            Map.entry("EREMOTEIO", 121),
            Map.entry("EDQUOT", 122),
            Map.entry("ENOMEDIUM", 123),
            Map.entry("EMEDIUMTYPE", 124),
            Map.entry("ECANCELED", 125),
            Map.entry("ENOKEY", 126),
            Map.entry("EKEYEXPIRED", 127),
            Map.entry("EKEYREVOKED", 128),
            Map.entry("EKEYREJECTED", 129),
            Map.entry("EOWNERDEAD", 130),
            Map.entry("ENOTRECOVERABLE", 131),
            Map.entry("ERFKILL", 132),
            Map.entry("EHWPOISON", 133));

    private Errno() {}

    /** The number of an errno name such as {@code ENOTSUP}; empty when Linux has no such name. */
    public static java.util.OptionalInt number(String name) {
        Integer n = NUMBERS.get(name);
        return n == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(n);
    }

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
