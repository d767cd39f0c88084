package dev.rkj.api.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ParentCommand;

/** {@code rkj version}: what this build is, and the appc spec version it implements. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the version of rkj and of the appc spec it implements.")
final class VersionCommand implements Runnable {
    static final String APPC_VERSION = "0.8.11";

    @ParentCommand
    RkjCommand root;

    @Override
    public void run() {
        for (String line : lines()) {
            root.out().println(line);
        }
    }

    static String version() {
        Properties p = new Properties();
        try (InputStream in = VersionCommand.class.getResourceAsStream("/dev/rkj/api/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version", "unknown");
    }

    static String[] lines() {
        return new String[] {
            "rkj Version: " + version(),
            "appc Version: " + APPC_VERSION,
            "Java Version: " + Runtime.version(),
            "OS/Arch: " + System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT) + "/" + System.getProperty("os.arch"),
            "Features: +OVERLAY +CGROUPS(v1,v2) +JOURNAL(chronicle-queue)",
        };
    }

    /** For {@code rkj --version}. */
    static final class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return lines();
        }
    }
}
