package dev.rkj.engine.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.engine.pod.NetworkAttachment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CNI executor and the network configurations, with plugins that are small shell scripts
 * recording what the spec says they get (environment, stdin) and answering as plugins do.
 */
class CniPluginsTest {
    @TempDir
    Path dir;

    private Path plugin(String name, String body) throws Exception {
        Path p = dir.resolve("bin").resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @Test
    void aPluginGetsTheSpecsEnvironmentAndItsConfigurationOnStdinAndItsResultIsRead() throws Exception {
        Path log = dir.resolve("log");
        plugin("fake", "cat > " + log + ".in; env | grep '^CNI_' | sort > " + log + "\n"
                + "echo '{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"veth1\"},{\"name\":\"eth0\",\"sandbox\":\"/x\"}],"
                + "\"ips\":[{\"address\":\"10.9.0.5/24\",\"interface\":1}]}'");
        NetworkConfig conf = NetworkConfig.parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n1\",\"type\":\"fake\",\"k\":1}"
                .getBytes(StandardCharsets.UTF_8), "test");
        CniPlugins plugins = new CniPlugins(List.of(dir.resolve("none"), dir.resolve("bin")));
        JsonNode result = plugins.run(new CniPlugins.Call("ADD", "pod-1", Path.of("/run/ns"), "eth0", "IP=10.9.0.5"),
                "n1", conf.pluginInput(0));
        assertEquals(List.of("CNI_ARGS=IP=10.9.0.5", "CNI_COMMAND=ADD", "CNI_CONTAINERID=pod-1", "CNI_IFNAME=eth0",
                "CNI_NETNS=/run/ns", "CNI_PATH=" + dir.resolve("none") + ":" + dir.resolve("bin")), Files.readAllLines(log));
        JsonNode in = NetworkConfig.JSON.readTree(Files.readAllBytes(Path.of(log + ".in")));
        assertEquals("n1", in.get("name").asText());
        assertEquals("1.0.0", in.get("cniVersion").asText());
        assertEquals(1, in.get("k").asInt());
        assertEquals(new NetworkAttachment("n1", "eth0", List.of("10.9.0.5/24")), PodNetworks.attachment("n1", "eth0", result));
    }

    @Test
    void aFailingPluginsErrorObjectIsTheMessage() throws Exception {
        plugin("broken", "echo '{\"code\":11,\"msg\":\"failed to allocate\",\"details\":\"range full\"}'; exit 1");
        NetworkConfig conf = NetworkConfig.parse("{\"name\":\"n2\",\"plugins\":[{\"type\":\"broken\"}]}"
                .getBytes(StandardCharsets.UTF_8), "test");
        CniException e = assertThrows(CniException.class, () -> new CniPlugins(List.of(dir.resolve("bin")))
                .run(new CniPlugins.Call("ADD", "pod-1", null, "eth0", null), "n2", conf.pluginInput(0)));
        assertEquals("network n2: CNI ADD of plugin broken failed: failed to allocate (range full)", e.getMessage());
        CniException missing = assertThrows(CniException.class, () -> new CniPlugins(List.of(dir.resolve("bin")))
                .run(new CniPlugins.Call("ADD", "pod-1", null, "eth0", null), "n2",
                        NetworkConfig.parse("{\"name\":\"n2\",\"type\":\"nope\"}".getBytes(StandardCharsets.UTF_8), "t")
                                .pluginInput(0)));
        assertTrue(missing.getMessage().contains("no CNI plugin nope in") && missing.getMessage().contains("apt-get install"),
                missing.getMessage());
    }

    @Test
    void networksAreTheBuiltInOnesThenTheFilesByName() throws Exception {
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(etc.resolve("20-b.conflist"), "{\"cniVersion\":\"1.0.0\",\"name\":\"b\",\"plugins\":[{\"type\":\"bridge\"}]}");
        Files.writeString(data.resolve("10-a.conf"), "{\"cniVersion\":\"0.4.0\",\"name\":\"a\",\"type\":\"ptp\"}");
        NetworkConfigs configs = new NetworkConfigs(List.of(etc, data, dir.resolve("absent")));
        assertEquals(List.of("default", "default-restricted", "b", "a"), configs.names());
        assertEquals("ptp", configs.find("a").plugins().get(0).get("type").asText());
        NetworkConfig def = configs.find("default");
        assertEquals(List.of("bridge", "portmap"), def.plugins().stream().map(p -> p.get("type").asText()).toList());
        assertEquals(NetworkConfigs.DEFAULT_SUBNET,
                def.plugins().get(0).at("/ipam/ranges/0/0/subnet").asText());
        assertTrue(assertThrows(CniException.class, () -> configs.find("c")).getMessage()
                .startsWith("no network named c: put a c.conflist with \"name\": \"c\" in " + etc));
        Files.writeString(data.resolve("30-default.conflist"), "{\"name\":\"default\",\"plugins\":[{\"type\":\"bridge\"}]}");
        assertTrue(assertThrows(CniException.class, () -> configs.find("a")).getMessage()
                .contains("names the built-in network default"));
    }
}
