package dev.rkj.eventlog;

/**
 * Chronicle's process-wide switches, set before its classes load: no analytics, no announcer
 * banner. The launcher's JVM flags set them too; this is the belt to their braces.
 */
final class ChronicleSettings {
    private static final String[][] PROPERTIES = {
        {"chronicle.analytics.disable", "true"},
        {"chronicle.announcer.disable", "true"},
    };

    private ChronicleSettings() {}

    static void apply() {
        for (String[] property : PROPERTIES) {
            if (System.getProperty(property[0]) == null) {
                System.setProperty(property[0], property[1]);
            }
        }
    }
}
