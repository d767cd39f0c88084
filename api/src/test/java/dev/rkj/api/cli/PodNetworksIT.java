package dev.rkj.api.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rkj.engine.host.HostEngine;
import dev.rkj.engine.net.NetworkConfigs;
import dev.rkj.eventlog.Json;
import dev.rkj.stage1.cgroup.CgroupLayout;
import dev.rkj.stage1.cgroup.Cgroups;
import dev.rkj.stage1.kernel.LinuxKernel;
import dev.rkj.stage1.kernel.MountInfo;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import dev.rkj.testsupport.TestImages;
import dev.rkj.testsupport.TestRun;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pod networking through CNI end to end, with Debian's plugins: two pods on the default network
 * reach each other by IP, a pod's declared port is forwarded from the host ({@code --port}, on a
 * host address and on 127.0.0.1), {@code --net=none} has only lo, a named network from
 * {@code net.d} gives the IP asked for, and after stop and gc nothing the test made is left: no
 * veth, network namespace, iptables rule or IPAM lease. Traffic goes only between pods and this
 * host over the bridges the pods' networks made.
 */
@ExtendWith(LeakCheck.class)
class PodNetworksIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path LEASES = Path.of("/var/lib/cni/networks");

    private Path dir;
    private Path data;
    private String bridge;

    @BeforeEach
    void buildImages() throws Exception {
        Privileged.requireRoot();
        Privileged.require(Files.isExecutable(Path.of("/usr/lib/cni/bridge")),
                "the CNI plugins are not installed (apt-get install containernetworking-plugins)");
        dir = TestRun.newDir("net");
        data = Files.createDirectories(dir.resolve("data"));
        image("server", "[\"/bin/httpd\", \"-f\", \"-p\", \"80\", \"-h\", \"/www\"]",
                ", \"ports\": [{\"name\": \"http\", \"protocol\": \"tcp\", \"port\": 80}]");
        image("client", "[\"/bin/sh\", \"-c\", \"wget -q -O - http://$TARGET/; echo; ip -o -4 addr show\"]", "");
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (data != null) {
            for (JsonNode pod : Json.mapper().readTree(rkj("list", "--format=json").out())) {
                if ("running".equals(pod.get("state").asText())) {
                    rkj("stop", "--force", pod.get("name").asText());
                }
            }
            rkj("gc", "--grace-period=0s", "--expire-prepared=0s");
            if (bridge != null) {
                new ProcessBuilder("ip", "link", "del", bridge).start().waitFor();
            }
            TestRun.deleteTree(dir);
        }
    }

    @AfterAll
    static void removeCgroupParentIfEmpty() throws Exception {
        if (Privileged.isRoot()) {
            new Cgroups(LinuxKernel.get(), CgroupLayout.detect(), HostEngine.CGROUP_PARENT).removeParentIfEmpty();
        }
    }

    @Test
    void podsOnTheDefaultNetworkReachEachOtherAndTheHostReachesAForwardedPort() throws Exception {
        int hostPort = freePort();
        CliRun started = rkj("run", "--detach", "--insecure-options=image", "--port", "http:" + hostPort,
                aci("server").toString());
        assertEquals(0, started.code(), started.err());
        String server = started.out().strip();
        JsonNode status = Json.mapper().readTree(rkj("status", "--format=json", server).out());
        JsonNode net = status.get("networks").get(0);
        assertEquals("default", net.get("name").asText());
        assertEquals("eth0", net.get("ifName").asText());
        String ip = net.get("ips").get(0).asText().replaceFirst("/.*", "");
        assertTrue(ip.startsWith("172.16.28."), status.toString());
        assertTrue(rkj("list").out().contains("default:ip4=" + ip), "list shows the pod's network and IP");
        assertTrue(rkj("status", server).out().contains("networks=default:ip4=" + ip + "\n"));
        List<String> hostSide = hostInterfaces(server);
        assertFalse(hostSide.isEmpty(), "the cached result names the pod's host-side veth");

        // From the host: the forwarded port on a host address and on 127.0.0.1 (portmap with snat).
        String hostAddress = hostAddress();
        await().atMost(WAIT).until(() -> get(hostAddress, hostPort).contains("hello from the server"));
        await().atMost(WAIT).until(() -> get("127.0.0.1", hostPort).contains("hello from the server"));

        // From another pod on the same network, by IP.
        Path uuidFile = dir.resolve("client.uuid");
        CliRun client = rkj("run", "--insecure-options=image", "--uuid-file-save", uuidFile.toString(),
                "--set-env", "TARGET=" + ip, aci("client").toString());
        assertEquals(0, client.code(), client.err());
        String clientPod = Files.readString(uuidFile).strip();
        String log = rkj("logs", clientPod).out();
        assertTrue(log.contains("hello from the server"), log);
        assertTrue(log.contains("eth0"), log);
        String clientIp = Json.mapper().readTree(rkj("status", "--format=json", clientPod).out())
                .get("networks").get(0).get("ips").get(0).asText().replaceFirst("/.*", "");
        assertNotEquals(ip, clientIp);

        assertEquals(0, rkj("stop", server).code());
        await().atMost(WAIT).until(() -> rkj("status", server).out().contains("state=exited"));
        String exited = rkj("journal", "show", "--aggregate", server, "--type", "pod.exited").out();
        assertTrue(exited.contains("pod.exited/2") && exited.contains("networksRemoved[0].network=default")
                && exited.contains("networksRemoved[0].ifName=eth0") && exited.contains(ip + "/"),
                "the exit's event names the network the pod left: " + exited);
        assertEquals(0, rkj("gc", "--grace-period=0s").code());
        String deleted = rkj("journal", "show", "--aggregate", server, "--type", "pod.deleted").out();
        assertTrue(deleted.contains("pod.deleted/2") && !deleted.contains("networksRemoved"),
                "its exit left the network already, so its deletion names none: " + deleted);
        assertNothingLeftOf(server, "default", ip, hostSide);
        assertNothingLeftOf(clientPod, "default", clientIp, List.of());
    }

    @Test
    void noneHasOnlyLoopbackAndANamedNetworkGivesTheAddressAsked() throws Exception {
        Path uuidFile = dir.resolve("none.uuid");
        CliRun none = rkj("run", "--net=none", "--insecure-options=image", "--uuid-file-save", uuidFile.toString(),
                "--exec", "/bin/cat", aci("client").toString(), "--", "/proc/net/dev");
        assertEquals(0, none.code(), none.err());
        List<String> devices = new ArrayList<>();
        for (String line : rkj("logs", Files.readString(uuidFile).strip()).out().split("\n")) {
            if (line.contains(":") && !line.contains("|")) {
                devices.add(line.strip().substring(0, line.strip().indexOf(':')));
            }
        }
        assertEquals(List.of("lo"), devices);

        int a = ThreadLocalRandom.current().nextInt(1, 250);
        int b = ThreadLocalRandom.current().nextInt(1, 250);
        String name = "rkjt-" + TestRun.TAG;
        bridge = "rkjt" + TestRun.TAG.substring(0, 6);
        Path netD = Files.createDirectories(data.resolve(NetworkConfigs.NET_D));
        Files.writeString(netD.resolve("10-test.conflist"), """
                {"cniVersion": "1.0.0", "name": "%s", "plugins": [
                  {"type": "bridge", "bridge": "%s", "isGateway": true,
                   "ipam": {"type": "host-local", "dataDir": "%s", "ranges": [[{"subnet": "10.%d.%d.0/24"}]]}}]}
                """.formatted(name, bridge, dir.resolve("leases"), a, b));
        String fixed = "10." + a + "." + b + ".7";
        Path named = dir.resolve("named.uuid");
        CliRun run = rkj("run", "--net=" + name + ":IP=" + fixed, "--insecure-options=image", "--uuid-file-save",
                named.toString(), "--set-env", "TARGET=" + fixed, aci("client").toString());
        String pod = Files.readString(named).strip();
        String log = rkj("logs", pod).out();
        assertTrue(log.contains("inet " + fixed + "/24"), log);
        assertTrue(rkj("status", pod).out().contains("networks=" + name + ":ip4=" + fixed), run.err());
        String exited = rkj("journal", "show", "--aggregate", pod, "--type", "pod.exited").out();
        assertTrue(exited.contains("networksRemoved[0].network=" + name) && exited.contains(fixed + "/24"),
                "the exit's event names the network the pod left: " + exited);
        assertEquals(0, rkj("gc", "--grace-period=0s").code());
        assertFalse(Files.exists(dir.resolve("leases").resolve(name).resolve(fixed)), "the lease is released");
        assertFalse(Files.exists(data.resolve("pods").resolve(pod)));

        CliRun unknown = rkj("run", "--net=no-such-net", "--insecure-options=image", aci("client").toString());
        assertEquals(254, unknown.code());
        assertTrue(unknown.oneLineError() && unknown.err().contains("no network named no-such-net"), unknown.err());
        CliRun portOnNone = rkj("run", "--net=none", "--port", "http:8080", "--insecure-options=image",
                aci("server").toString());
        assertEquals(254, portOnNone.code());
        assertTrue(portOnNone.err().contains("joins no CNI network"), portOnNone.err());
    }

    /** No veth, netns mount, iptables rule or IPAM lease of the pod is left; its directory is gone. */
    private void assertNothingLeftOf(String pod, String network, String ip, List<String> veths) throws Exception {
        assertFalse(Files.exists(data.resolve("pods").resolve(pod)), "the pod directory is removed");
        assertTrue(MountInfo.read().mounts().stream().noneMatch(m -> m.mountPoint().toString().contains(pod)),
                "no network namespace of the pod is mounted");
        assertFalse(Files.exists(LEASES.resolve(network).resolve(ip)), "the IPAM lease of " + ip + " is released");
        for (String table : List.of("nat", "filter")) {
            String rules = exec("iptables-save", "-t", table);
            assertFalse(rules.contains(pod), "iptables " + table + " rules of pod " + pod + " are left:\n" + rules);
        }
        String links = exec("ip", "-o", "link");
        for (String veth : veths) {
            assertFalse(links.contains(" " + veth + "@"), "veth " + veth + " is left:\n" + links);
        }
    }

    /** The host-side interfaces in the pod's cached CNI result (those not in its namespace). */
    private List<String> hostInterfaces(String pod) throws IOException {
        List<String> names = new ArrayList<>();
        try (var files = Files.list(data.resolve("pods").resolve(pod).resolve("net"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) {
                for (JsonNode i : Json.mapper().readTree(f.toFile()).path("result").path("interfaces")) {
                    if (i.path("sandbox").asText("").isEmpty() && i.path("name").asText().startsWith("veth")) {
                        names.add(i.get("name").asText());
                    }
                }
            }
        }
        return names;
    }

    /** An IPv4 address of this host that is not loopback and not on a pod bridge; the default bridge's otherwise. */
    private static String hostAddress() throws IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback() || nic.getName().startsWith("rkj") || nic.getName().startsWith("veth")
                    || nic.getName().startsWith("cni")) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address) {
                    return address.getHostAddress();
                }
            }
        }
        return "172.16.28.1";
    }

    private static String get(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET / HTTP/1.0\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            try (InputStream in = s.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            return "";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String exec(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private void image(String name, String exec, String more) throws Exception {
        Path src = dir.resolve("src-" + name);
        Path rootfs = TestImages.busybox(src.resolve("rootfs"));
        for (String applet : List.of("httpd", "wget", "ip")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.writeString(Files.createDirectories(rootfs.resolve("www")).resolve("index.html"), "hello from the server\n");
        Files.writeString(src.resolve("manifest"), """
                {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/%s",
                 "labels": [{"name": "version", "value": "1.0.0"}, {"name": "os", "value": "linux"}, {"name": "arch", "value": "amd64"}],
                 "app": {"exec": %s, "user": "0", "group": "0"%s}}
                """.formatted(name, exec, more));
        CliRun built = rkj("image", "build", src.toString(), aci(name).toString());
        assertEquals(0, built.code(), built.err());
    }

    private Path aci(String name) {
        return dir.resolve(name + ".aci");
    }

    private CliRun rkj(String... args) {
        return CliRun.in(data, args);
    }
}
