package dev.rkj.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's session key, and the vendored library as its record says. */
class DashboardTest {
    @Test
    void theSessionKeyIsMadeOnceOwnerOnlyAndKeptAcrossDaemons(@TempDir Path data) throws Exception {
        Dashboard.of(data);
        Path key = data.resolve(Dashboard.KEY_FILE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        byte[] first = Files.readAllBytes(key);
        Dashboard.of(data);
        assertEquals(HexFormat.of().formatHex(first), HexFormat.of().formatHex(Files.readAllBytes(key)),
                "a second daemon reads the key; sessions outlive a restart");
    }

    @Test
    void aForgedOrMalformedSessionIsRefused() {
        Dashboard dashboard = Dashboard.ephemeral();
        assertNull(dashboard.session("v1.99999999999.dXNlcg.forged"));
        assertNull(dashboard.session("nonsense"));
        assertNull(dashboard.session(""));
        assertNull(Dashboard.ephemeral().session("v1.1.x.y"));
    }

    @Test
    void theVendoredLibraryIsTheOneItsRecordNames() throws Exception {
        Properties record = new Properties();
        try (InputStream in = resource("vendor/VENDORED")) {
            record.load(in);
        }
        for (String file : new String[] {"htm-preact.js", "LICENSE-htm", "LICENSE-preact"}) {
            String key = file.equals(record.getProperty("file")) ? "sha256" : "sha256." + file;
            String expected = record.getProperty(key);
            assertNotNull(expected, "VENDORED records " + key + ": rerun scripts/vendor-dashboard");
            try (InputStream in = resource("vendor/" + file)) {
                String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
                assertEquals(expected, actual, file + " differs from what scripts/vendor-dashboard recorded");
            }
        }
        assertTrue(record.getProperty("licence").contains("MIT"), record.toString());
    }

    private static InputStream resource(String name) {
        InputStream in = DashboardTest.class.getClassLoader().getResourceAsStream("dev/rkj/api/dashboard/" + name);
        assertNotNull(in, name + " is in the jar");
        return in;
    }
}
