package dev.rkj.api.cli;

import dev.rkj.engine.pod.PodLookupException;
import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.run.Stage1Host;
import dev.rkj.stage1.PodDir;
import dev.rkj.stage1.PodLock;
import dev.rkj.stage1.kernel.KernelException;
import dev.rkj.stage1.kernel.LinuxKernel;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code rkj logs}: what a pod's apps wrote to stdout and stderr, kept in {@code logs/<app>} of its
 * directory until the pod is removed; {@code --follow} keeps printing until its stage1 ends.
 * Read-only: it needs no engine and writes nothing.
 */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = "Print the output of a pod's apps (running or exited).",
        footer = {"", "Examples:", "  rkj logs 5f3a                  # everything the app wrote",
            "  rkj logs --tail 20 --follow 5f3a  # the last 20 lines, then what comes until the pod ends"})
final class LogsCommand implements Callable<Integer> {
    private static final long POLL_MILLIS = 100;

    @ParentCommand
    RkjCommand root;

    @Option(names = {"--follow", "-f"}, description = "keep printing new output until the pod ends")
    boolean follow;

    @Option(names = "--app", paramLabel = "NAME", description = "only this app (the default when the pod has one)")
    String app;

    @Option(names = {"--tail", "-n"}, paramLabel = "N", description = "only the last N lines")
    Integer tail;

    @Parameters(index = "0", paramLabel = "UUID", description = "the pod (a prefix is enough)")
    String uuid;

    @Override
    public Integer call() throws Exception {
        if (tail != null && tail < 0) {
            throw new CliException("--tail " + tail + " is negative: give a number of lines, 0 or more");
        }
        PodState pod;
        try {
            pod = PodCommands.read(root, null).pod(uuid).state();
        } catch (PodLookupException e) {
            throw new CliException(e.getMessage(), e);
        }
        PodDir dir = new PodDir(root.readContext().dataDir().resolve(Stage1Host.PODS).resolve(pod.podId()));
        List<String> apps = apps(pod, dir);
        if (apps.isEmpty()) {
            throw new CliException("pod " + pod.podId() + " is " + pod.status().displayName()
                    + ": it has no logs until it runs");
        }
        PrintStream out = root.out();
        List<RandomAccessFile> files = new ArrayList<>();
        try {
            for (String name : apps) {
                Path log = dir.log(name);
                RandomAccessFile file = new RandomAccessFile(log.toFile(), "r");
                files.add(file);
                file.seek(tail == null ? 0 : startOfLastLines(log, tail));
                copy(file, out);
            }
            while (follow && running(dir)) {
                Thread.sleep(POLL_MILLIS);
                for (RandomAccessFile file : files) {
                    copy(file, out);
                }
            }
            for (RandomAccessFile file : files) {
                copy(file, out); // what the apps wrote as the pod ended
            }
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new CliException("pod " + pod.podId() + " has no log for its app yet: " + e.getMessage(), e);
        } finally {
            for (RandomAccessFile file : files) {
                file.close();
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** The apps to print: {@code --app}, else the pod's one app (several need {@code --app}). */
    private List<String> apps(PodState pod, PodDir dir) throws IOException {
        List<String> known = new ArrayList<>(pod.apps().keySet());
        if (known.isEmpty() && Files.isDirectory(dir.logsDir())) {
            try (Stream<Path> logs = Files.list(dir.logsDir())) {
                logs.map(p -> p.getFileName().toString()).sorted().forEach(known::add);
            }
        }
        if (app != null) {
            if (!known.contains(app)) {
                throw new CliException("pod " + pod.podId() + " has no app " + app + ": its apps are " + known);
            }
            return List.of(app);
        }
        if (known.size() > 1) {
            throw new CliException("pod " + pod.podId() + " has several apps " + known + ": choose one with --app NAME");
        }
        return known;
    }

    /** Whether the pod's stage1 still holds its lock (it may still write). */
    private static boolean running(PodDir dir) {
        try {
            return new PodLock(LinuxKernel.get()).held(dir.path());
        } catch (KernelException e) {
            return false;
        }
    }

    private static void copy(RandomAccessFile file, PrintStream out) throws IOException {
        byte[] buffer = new byte[8192];
        int n;
        while ((n = file.read(buffer)) > 0) {
            out.write(buffer, 0, n);
        }
        out.flush();
    }

    /** The offset at which the last {@code lines} lines of {@code log} begin (a last line without a newline counts). */
    static long startOfLastLines(Path log, int lines) throws IOException {
        if (lines == 0) {
            return Files.size(log);
        }
        Deque<Long> starts = new ArrayDeque<>();
        long offset = 0;
        boolean atLineStart = true;
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(log))) {
            int b;
            while ((b = in.read()) >= 0) {
                if (atLineStart) {
                    starts.addLast(offset);
                    if (starts.size() > lines) {
                        starts.removeFirst();
                    }
                }
                atLineStart = b == '\n';
                offset++;
            }
        }
        return starts.isEmpty() ? 0 : starts.getFirst();
    }
}
