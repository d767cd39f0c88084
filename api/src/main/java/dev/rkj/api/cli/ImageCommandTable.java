package dev.rkj.api.cli;

import java.io.PrintStream;
import java.util.List;

/** Left-aligned columns separated by two spaces, as rkt's tabwriter printed them; each cell escaped ({@link TerminalText#escape}). */
final class ImageCommandTable {
    private ImageCommandTable() {}

    static void print(List<String[]> rows, PrintStream out) {
        if (rows.isEmpty()) {
            return;
        }
        rows = rows.stream().map(row -> java.util.Arrays.stream(row).map(TerminalText::escape).toArray(String[]::new)).toList();
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(row[i]);
                if (i < columns - 1) {
                    line.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            out.println(line);
        }
    }
}
