package dev.rkj.bench.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time spent by this JVM and by the children it has reaped (with theirs), from
 * {@code /proc/self/stat} (utime + stime + cutime + cstime, in clock ticks of 10 ms): the CPU a
 * run of pods costs, which the machine's load does not change the way it changes wall time. Work
 * the kernel does in its own threads (deferred unmounts, cgroup teardown) is not in it.
 */
public final class CpuClock {
    private static final double MILLIS_PER_TICK = 10.0; // USER_HZ is 100 on Linux

    private CpuClock() {}

    /** Milliseconds of CPU used so far by this process and its reaped descendants. */
    public static double millis() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after the command: state is field 3, so utime (14) .. cstime (17) are at 11 .. 14 here
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        return ticks * MILLIS_PER_TICK;
    }
}
