package dev.rkj.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entry point for every benchmark: {@code Bench journal|unpack|launch-floor|launch|api|all [args]}
 * runs that benchmark's main with the remaining arguments ({@code all} runs each with its
 * defaults, one after the other). {@code scripts/bench} builds and calls it.
 */
public final class Bench {
    @FunctionalInterface
    private interface Main {
        void run(String[] args) throws Exception;
    }

    private static final Map<String, Main> BENCHES = new LinkedHashMap<>();

    static {
        BENCHES.put("journal", JournalBench::main);
        BENCHES.put("unpack", UnpackBench::main);
        BENCHES.put("launch-floor", LaunchFloorBench::main);
        BENCHES.put("launch", LaunchBench::main);
        BENCHES.put("api", ApiBench::main);
        BENCHES.put("history", HistoryBench::main);
        BENCHES.put("fetch", FetchBench::main);
    }

    private Bench() {}

    public static void main(String[] args) throws Exception {
        String name = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        if (name.equals("all")) {
            if (rest.length > 0) {
                usage("`all` runs each benchmark with its defaults and takes no arguments; run one by name to pass some");
            }
            for (Map.Entry<String, Main> bench : BENCHES.entrySet()) {
                System.out.println("===== " + bench.getKey() + " =====");
                bench.getValue().run(new String[0]);
                System.out.println();
            }
            return;
        }
        Main main = BENCHES.get(name);
        if (main == null) {
            usage(name.isEmpty() ? "name a benchmark" : "unknown benchmark `" + name + "`");
        }
        main.run(rest);
    }

    private static void usage(String problem) {
        System.err.println("bench: " + problem);
        System.err.println("usage: scripts/bench journal|unpack|launch-floor|launch|api|history|fetch|all [options of that benchmark]");
        System.exit(2);
    }
}
