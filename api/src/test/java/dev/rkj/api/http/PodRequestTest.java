package dev.rkj.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.engine.pod.PodSpec;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/pods} bodies in both forms (one app at the top level, or apps), and refusals naming the field. */
class PodRequestTest {
    private static final String A = "sha512-" + "ab".repeat(64);
    private static final String B = "example.com/db,version=1";

    @Test
    void theOneAppFormAndTheAppsFormMakeTheSpecRkjRunMakes() {
        PodSpec one = PodRequest.from(new JsonObject().put("image", A).put("exec", "/bin/sh")
                .put("args", List.of("-c", "true")).put("memory", "64Mi")).spec();
        assertEquals(1, one.apps().size());
        assertEquals("/bin/sh", one.exec());
        assertEquals(64L * 1024 * 1024, one.memoryLimitBytes());

        PodSpec two = PodRequest.from(new JsonObject()
                .put("apps", List.of(
                        new JsonObject().put("image", A).put("name", "web").put("seccomp", "mode=remove,errno=EPERM,chmod")
                                .put("mounts", List.of(new JsonObject().put("volume", "data").put("path", "/srv"))),
                        new JsonObject().put("image", B).put("readOnlyRootfs", true).put("cpu", "500m")))
                .put("volumes", List.of(new JsonObject().put("name", "data").put("kind", "empty").put("mode", "0700")))
                .put("mdsRegister", true)).spec();
        assertEquals(2, two.apps().size());
        assertEquals("web", two.apps().get(0).name());
        assertEquals(PodSpec.SeccompMode.REMOVE, two.apps().get(0).seccomp().mode());
        assertEquals(List.of(new PodSpec.Mount("data", "/srv")), two.apps().get(0).mounts());
        assertEquals(B, two.apps().get(1).imageRef());
        assertTrue(two.apps().get(1).readOnlyRootfs());
        assertEquals(500L, two.apps().get(1).cpuLimitMillis());
        assertEquals(PodSpec.Volume.empty("data", "0700", null, null), two.volumes().get(0));
        assertTrue(two.mdsRegister() && !two.privateUsers());
        assertTrue(PodRequest.from(new JsonObject().put("image", A).put("privateUsers", true)).spec().privateUsers());
        assertEquals(PodSpec.NetMode.DEFAULT, one.net(), "net defaults to rkj run --net's default: the CNI bridge");
        assertEquals(PodSpec.NetMode.NONE, PodRequest.from(new JsonObject().put("image", A).put("net", "none")).spec().net());
    }

    @Test
    void badAppsAreRefusedNamingTheField() {
        Problem both = assertThrows(Problem.class, () -> PodRequest.from(new JsonObject().put("image", A)
                .put("apps", List.of(new JsonObject().put("image", B)))));
        assertEquals("image", both.field());
        Problem topLevel = assertThrows(Problem.class, () -> PodRequest.from(new JsonObject().put("exec", "/bin/sh")
                .put("apps", List.of(new JsonObject().put("image", B)))));
        assertEquals("exec", topLevel.field());
        Problem memory = assertThrows(Problem.class, () -> PodRequest.from(new JsonObject()
                .put("apps", List.of(new JsonObject().put("image", A), new JsonObject().put("image", B).put("memory", "lots")))));
        assertEquals("apps[1].memory", memory.field());
        Problem volume = assertThrows(Problem.class, () -> PodRequest.from(new JsonObject()
                .put("apps", List.of(new JsonObject().put("image", A).put("mounts",
                        List.of(new JsonObject().put("volume", "nope").put("path", "/x")))))));
        assertEquals("volumes", volume.field());
        assertTrue(volume.getMessage().contains("which no --volume declares"), volume.getMessage());
        Problem sameName = assertThrows(Problem.class, () -> PodRequest.from(new JsonObject()
                .put("apps", List.of(new JsonObject().put("image", A).put("name", "x"),
                        new JsonObject().put("image", B).put("name", "x")))));
        assertEquals("apps", sameName.field());
    }
}
