package dev.rkj.engine.pod;

import dev.rkj.engine.pod.PodSpec.InsecureOption;
import dev.rkj.engine.pod.PodSpec.NetMode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link PodSpec}, {@link PodOwner} and {@link PodIds}: defaults, defensive copies, and errors that name the bad value. */
class PodSpecTest {

    @Test
    void ofGivesRktsDefaults() {
        PodSpec spec = PodSpec.of("example.com/app:v1");
        assertEquals(NetMode.DEFAULT, spec.net());
        assertEquals(List.of(), spec.args());
        assertEquals(Map.of(), spec.env());
        assertEquals(Set.of(), spec.insecureOptions());
        assertFalse(spec.allows(InsecureOption.IMAGE));
        assertFalse(spec.interactive());
    }

    @Test
    void theSpecCopiesWhatItIsGiven() {
        List<String> args = new ArrayList<>(List.of("a"));
        Map<String, String> env = new HashMap<>(Map.of("K", "v"));
        PodSpec spec = new PodSpec("img", null, args, env, null, null, null, null, false, EnumSet.of(InsecureOption.IMAGE));
        args.add("b");
        env.put("K2", "v2");
        assertEquals(List.of("a"), spec.args());
        assertEquals(Map.of("K", "v"), spec.env());
        assertTrue(spec.allows(InsecureOption.IMAGE));
        assertThrows(UnsupportedOperationException.class, () -> spec.args().add("c"));
    }

    @Test
    void capabilityFlagsAndPidsLimitDefaultToNoneGiven() {
        PodSpec spec = PodSpec.of("img");
        assertEquals(Set.of(), spec.capsRetain());
        assertEquals(Set.of(), spec.capsRemove());
        assertEquals(null, spec.pidsLimit());
        assertFalse(spec.grantsPrivileges());
    }

    @Test
    void onlyCapabilitiesBeyondTheDefaultSetAndRunTimeRelaxationsAreGrants() {
        PodSpec withinDefault = PodSpec.of("img").withCapabilities(Set.of("CAP_CHOWN", "CAP_KILL"), Set.of());
        assertEquals(Set.of(), withinDefault.grantedCapabilities());
        assertFalse(withinDefault.grantsPrivileges());
        assertFalse(PodSpec.of("img").withCapabilities(Set.of(), Set.of("CAP_MKNOD")).grantsPrivileges());
        PodSpec beyond = PodSpec.of("img").withCapabilities(Set.of("CAP_SYS_ADMIN", "CAP_CHOWN", "CAP_NET_ADMIN"), Set.of());
        assertEquals(Set.of("CAP_NET_ADMIN", "CAP_SYS_ADMIN"), beyond.grantedCapabilities());
        assertTrue(beyond.grantsPrivileges());
        PodSpec fetchOnly = new PodSpec("img", null, null, null, null, null, null, null, false,
                EnumSet.of(InsecureOption.IMAGE, InsecureOption.TLS, InsecureOption.ONDISK));
        assertFalse(fetchOnly.grantsPrivileges());
        for (InsecureOption relaxed : List.of(InsecureOption.CAPABILITIES, InsecureOption.PATHS, InsecureOption.SECCOMP)) {
            PodSpec spec = new PodSpec("img", null, null, null, null, null, null, null, false, EnumSet.of(relaxed));
            assertEquals(Set.of(relaxed), spec.relaxations());
            assertTrue(spec.grantsPrivileges(), relaxed.toString());
        }
    }

    @Test
    void badCapabilityFlagsAndPidsLimitAreRejectedNamingThem() {
        assertEquals("pod spec: give either --caps-retain (the exact set to keep) or --caps-remove (what to take"
                        + " from the default set), not both",
                message(() -> PodSpec.of("img").withCapabilities(Set.of("CAP_CHOWN"), Set.of("CAP_KILL"))));
        assertEquals("pod spec: --caps-retain names \"sys_admin\", which is not a capability name (e.g. CAP_NET_ADMIN)",
                message(() -> PodSpec.of("img").withCapabilities(Set.of("sys_admin"), Set.of())));
        assertEquals("pod spec: pids limit 0 is not positive (omit it for the default)",
                message(() -> PodSpec.of("img").withPidsLimit(0L)));
    }

    @Test
    void badValuesAreRejectedNamingThem() {
        assertEquals("pod spec: the image reference is empty (name an image, an image id or a file)",
                message(() -> PodSpec.of(" ")));
        assertEquals("pod spec: app img: exec \"bin/sh\" is not an absolute path (appc requires one, e.g. /bin/sh)",
                message(() -> new PodSpec("img", "bin/sh", null, null, null, null, null, null, false, null)));
        assertEquals("pod spec: environment variable name \"A=B\" is not valid (it must be non-empty and contain no '=')",
                message(() -> new PodSpec("img", null, null, Map.of("A=B", "x"), null, null, null, null, false, null)));
        assertEquals("pod spec: hostname \"-web\" is not valid (1-64 letters, digits, '-' and '.',"
                        + " not starting or ending with '-' or '.')",
                message(() -> new PodSpec("img", null, null, null, "-web", null, null, null, false, null)));
        assertEquals("pod spec: memory limit 0 bytes is not positive (omit it for no limit)",
                message(() -> new PodSpec("img", null, null, null, null, null, 0L, null, false, null)));
        assertEquals("pod spec: CPU limit -5 millicores is not positive (omit it for no limit)",
                message(() -> new PodSpec("img", null, null, null, null, null, null, -5L, false, null)));
    }

    @Test
    void appOverridesDefaultToTheImagesAndBadOnesAreRejectedNamingThem() {
        PodSpec spec = PodSpec.of("img");
        assertEquals(null, spec.appName());
        assertEquals(null, spec.user());
        assertEquals(null, spec.group());
        assertEquals(null, spec.workingDir());
        PodSpec given = spec.withApp("web-1", "1000", "www", "/srv").withPidsLimit(5L);
        assertEquals(List.of("web-1", "1000", "www", "/srv"),
                List.of(given.appName(), given.user(), given.group(), given.workingDir()));
        assertEquals("pod spec: app name (--name) \"Web\" is not a valid AC Name: use lowercase letters, digits and hyphens,"
                + " beginning and ending with a letter or digit (e.g. reduce-worker)", message(() -> spec.withApp("Web", null, null, null)));
        assertEquals("pod spec: app img: working directory (--working-dir) \"tmp\" is not an absolute path: give one such as /tmp",
                message(() -> spec.withApp(null, null, null, "tmp")));
        assertEquals("pod spec: app img: user (--user) \"\" is not valid: give a uid such as 1000 or a name in the image's"
                + " /etc/passwd", message(() -> spec.withApp(null, "", null, null)));
        assertEquals("pod spec: app img: group (--group) \"a\\u001bb\" is not valid: give a gid such as 1000 or a name in the"
                + " image's /etc/group", message(() -> spec.withApp(null, null, "a\u001bb", null)));
    }

    @Test
    void insecureOptionsParseRktWordsAndGroups() {
        assertEquals(EnumSet.of(InsecureOption.IMAGE, InsecureOption.TLS), InsecureOption.parseList("image,tls"));
        assertEquals(EnumSet.of(InsecureOption.IMAGE, InsecureOption.TLS, InsecureOption.HTTP, InsecureOption.PUBKEY),
                InsecureOption.parseList("all-fetch"));
        assertEquals(EnumSet.allOf(InsecureOption.class), InsecureOption.parseList("all"));
        assertEquals(Set.of(), InsecureOption.parseList("none"));
        assertEquals("unknown --insecure-options value \"imagee\": use none, all, all-fetch, all-run, image, tls, http,"
                + " pubkey, ondisk, capabilities, paths, seccomp", message(() -> InsecureOption.parseList("image,imagee")));
    }

    @Test
    void netModesParseRktWords() {
        assertEquals(NetMode.HOST, NetMode.parse("host"));
        assertEquals("none", NetMode.NONE.flagValue());
        assertEquals("unknown --net value \"bridge\": use default, host or none", message(() -> NetMode.parse("bridge")));
    }

    @Test
    void ownersNeedAnIdAndAPid() {
        assertEquals("pod owner e1: hostPid 0 is not a process id (give the engine's pid, > 0)",
                message(() -> new PodOwner("e1", 0)));
        assertEquals("engine e1 (pid 7)", new PodOwner("e1", 7).toString());
    }

    @Test
    void podIdsAreCanonicalUuids() {
        String id = PodIds.newId();
        assertTrue(PodIds.isValid(id), id);
        assertFalse(PodIds.isValid(id.toUpperCase()));
        assertFalse(PodIds.isValid("6f1c"));
        assertEquals(id, PodIds.requireValid(id));
    }

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }
}
