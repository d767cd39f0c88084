package dev.rkj.api.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TerminalTextTest {
    private static String throughStream(String text, int chunk) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream safe = TerminalText.safe(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        byte[] in = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < in.length; i += chunk) {
            safe.write(in, i, Math.min(chunk, in.length - i));
        }
        safe.flush();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aValueCannotMoveTheCursorRecolourOrForgeALine() {
        assertEquals("a\\u001b[31mred\\u000aFAKE\\u0009x\\u0007", TerminalText.escape("a\u001b[31mred\nFAKE\tx\u0007"));
        assertEquals("\\u009b2J \\u202eevil \\u007f", TerminalText.escape("\u009b2J \u202eevil \u007f"));
        assertEquals("plain é ü 日本 ✓", TerminalText.escape("plain é ü 日本 ✓"));
    }

    @Test
    void theStreamKeepsLinesAndTabsAndEscapesTheRestWhateverTheWriteSizes() {
        String text = "ok\tcol\nesc\u001b]0;title\u0007 csi\u009b c1 \u0085 rlo\u202e lri\u2066 é ✓ 日本\r\n";
        String expected = "ok\tcol\nesc\\u001b]0;title\\u0007 csi\\u009b c1 \\u0085 rlo\\u202e lri\\u2066 é ✓ 日本\\u000d\n";
        for (int chunk : new int[] {1, 2, 3, 7, 1024}) {
            assertEquals(expected, throughStream(text, chunk), "written " + chunk + " bytes at a time");
        }
    }

    @Test
    void malformedUtf8CannotSmuggleAControlByte() {
        byte[] in = {'a', (byte) 0xc2, 0x1b, '[', 'x', (byte) 0xe2, (byte) 0x80, 0x1b, 'b'};
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream safe = TerminalText.safe(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        safe.write(in, 0, in.length);
        safe.flush();
        for (byte b : bytes.toByteArray()) {
            assertEquals(false, b == 0x1b, "an ESC got through: " + bytes);
        }
    }

    @Test
    void jsonStaysValidAndMeansTheSame() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String value = "x\u0085y\u202ez\u007f";
        String written = json.writeValueAsString(java.util.Map.of("label", value));
        String shown = throughStream(written + "\n", 5);
        assertEquals(value, json.readTree(shown).get("label").asText());
    }
}
