package dev.rkj.engine.run;

import dev.rkj.engine.read.AppLog;
import dev.rkj.engine.read.LogRecord;
import dev.rkj.stage1.PodDir;
import java.io.IOException;
import java.nio.file.Path;

/** What an app wrote (stdout and stderr, in the order stage1 read it), from its log's records. */
final class AppOutput {
    private AppOutput() {}

    static String of(Path podDir, String app) throws IOException {
        StringBuilder out = new StringBuilder();
        try (AppLog log = AppLog.of(new PodDir(podDir), app)) {
            for (LogRecord r : log.end()) {
                out.append(r.text()).append(r.partial() ? "" : "\n");
            }
        }
        return out.toString();
    }
}
