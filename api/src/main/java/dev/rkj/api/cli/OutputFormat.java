package dev.rkj.api.cli;

/**
 * The one {@code --format} of every listing and of {@code status}: aligned columns for people, or
 * JSON (ISO 8601 times) for programs. picocli refuses any other value, naming the choices, the
 * same way on every command.
 */
enum OutputFormat {
    table, json;

    /** The option's description, the same everywhere. */
    static final String DESCRIPTION = "table (default) or json";
}
