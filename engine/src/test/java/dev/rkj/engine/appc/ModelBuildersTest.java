package dev.rkj.engine.appc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Model objects built in code obey the same rules as parsed ones, and round-trip through JSON. */
class ModelBuildersTest {
    private static final ImageId ID = ImageId.parse("sha512-" + "cd".repeat(64));

    private static App.Builder busybox() {
        return App.builder("0", "0").exec("/bin/busybox", "sh", "-c", "echo hi");
    }

    @Test
    void aBuiltImageManifestRoundTrips() throws Exception {
        // given
        App app = busybox()
                .supplementaryGid(10)
                .eventHandler(EventHandler.Kind.PRE_START, "/bin/busybox", "true")
                .workingDirectory("/srv")
                .env("PATH", "/bin")
                .isolator(new Isolator.Cpu(Optional.of(Quantity.ofMillis(250)), Optional.of(Quantity.parse("1"))))
                .isolator(Isolator.Memory.limit(Quantity.parse("64Mi")))
                .isolator(new Isolator.CapabilitiesRemove(List.of(LinuxCapability.CAP_MKNOD)))
                .isolator(new Isolator.NoNewPrivileges(true))
                .isolator(new Isolator.SeccompRemove(List.of("reboot"), Optional.of("EPERM")))
                .mountPoint("data", "/data", true)
                .port(new Port(AcName.parse("dns"), "udp", 53, 2, false))
                .userAnnotation("owner", "me")
                .userLabel("Team", "Core")
                .build();
        ImageManifest m = ImageManifest.builder("example.com/busybox")
                .label("version", "1.36.1").label("os", "linux").label("arch", "amd64")
                .app(app)
                .dependency(new Dependency(AcIdentifier.parse("example.com/base"), ID, Labels.EMPTY,
                        OptionalLong.of(1024)))
                .pathWhitelist("/bin/busybox")
                .annotation("created", "2026-01-02T03:04:05Z")
                .build();
        // when
        ImageManifest back = ManifestCodec.parseImageManifest(ManifestCodec.write(m));
        // then
        assertEquals(m, back);
        assertEquals(OptionalLong.of(250), back.app().orElseThrow().isolator(Isolator.Cpu.class).orElseThrow().requestMillis());
        assertEquals(OptionalLong.of(67_108_864), back.app().orElseThrow().isolator(Isolator.Memory.class).orElseThrow().requestBytes());
        assertEquals(54, back.app().orElseThrow().ports().get(0).lastPort());
    }

    @Test
    void aBuiltPodRoundTripsAndIsReifiedWhenEveryImageHasAnId() throws Exception {
        // given
        PodManifest pod = PodManifest.builder()
                .app(PodApp.builder("web", RuntimeImage.of("example.com/busybox", ID))
                        .app(busybox().port(Port.tcp("http", 8080)).build())
                        .readOnlyRootFs(true)
                        .mount(Mount.of("data", "/data"))
                        .annotation("tier", "front")
                        .build())
                .volume(Volume.host("data", "/srv/data", false))
                .volume(new Volume(AcName.parse("scratch"), Volume.Kind.EMPTY, Optional.empty(), false, true, 01777, 1000, 1000))
                .isolator(Isolator.Memory.limit(Quantity.parse("1G")))
                .annotation("ip-address", "10.1.2.3")
                .port(new ExposedPort(AcName.parse("http"), 80, Optional.of("127.0.0.1"), Optional.empty()))
                .userLabel("env", "test")
                .build();
        // when
        PodManifest back = ManifestCodec.parsePodManifest(ManifestCodec.write(pod));
        // then
        assertEquals(pod, back);
        assertTrue(back.isReified());
        ManifestCodec.requireReified(back);
        assertEquals(01777, back.volume(AcName.parse("scratch")).orElseThrow().mode());
    }

    @Test
    void aBuiltTemplateIsNotReifiedAndSaysWhy() {
        // given
        PodManifest template = PodManifest.builder()
                .app(PodApp.builder("web", new RuntimeImage(Optional.of(AcIdentifier.parse("example.com/busybox")),
                        Optional.empty(), Labels.of("version", "latest"))).mount(Mount.of("late", "/late")).build())
                .build();
        // when
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestCodec.requireReified(template));
        // then
        assertFalse(template.isReified());
        assertEquals(List.of("$.apps[0].image.id", "$.apps[0].mounts[0].volume"),
                e.problems().stream().map(Problem::jsonPath).toList());
    }

    @Test
    void buildersRejectWhatTheSpecForbids() {
        assertThrows(IllegalArgumentException.class, () -> busybox().env("A", "1").env("A", "2").build());
        assertThrows(IllegalArgumentException.class, () -> busybox().port(Port.tcp("p", 1)).port(Port.tcp("p", 2)).build());
        assertThrows(IllegalArgumentException.class, () -> busybox().workingDirectory("srv").build());
        assertThrows(IllegalArgumentException.class, () -> App.builder("", "0").build());
        assertThrows(IllegalArgumentException.class, () -> busybox()
                .isolator(new Isolator.CapabilitiesRetain(List.of(LinuxCapability.CAP_KILL)))
                .isolator(new Isolator.CapabilitiesRemove(List.of(LinuxCapability.CAP_KILL))).build());
        assertThrows(IllegalArgumentException.class, () -> busybox()
                .isolator(new Isolator.Other(AcIdentifier.parse(Isolator.SYSCTL), "{}")).build());
        assertThrows(IllegalArgumentException.class, () -> ImageManifest.builder("example.com/a").label("os", "plan9").build());
        assertThrows(IllegalArgumentException.class, () -> ImageManifest.builder("example.com/a")
                .annotation("homepage", "not a url").build());
        assertThrows(IllegalArgumentException.class, () -> ImageManifest.builder("example.com/a")
                .acVersion(AcVersion.parse("0.0.0")).build());
        assertThrows(IllegalArgumentException.class, () -> PodManifest.builder().build());
        assertThrows(IllegalArgumentException.class, () -> PodManifest.builder()
                .app(PodApp.builder("a", RuntimeImage.of(ID)).build())
                .isolator(new Isolator.NoNewPrivileges(true)).build());
        assertThrows(IllegalArgumentException.class, () -> PodApp.builder("a", RuntimeImage.of(ID))
                .annotation("example.com/x", "y").build());
    }

    @Test
    void isolatorsCheckTheirValues() {
        assertThrows(IllegalArgumentException.class,
                () -> new Isolator.Cpu(Optional.of(Quantity.parse("2")), Optional.of(Quantity.parse("1"))));
        assertThrows(IllegalArgumentException.class, () -> new Isolator.Cpu(Optional.empty(), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> Isolator.Cpu.limit(Quantity.parse("0.0005")));
        assertThrows(IllegalArgumentException.class, () -> Isolator.Memory.limit(Quantity.parse("0")));
        assertThrows(IllegalArgumentException.class, () -> Isolator.Memory.limit(Quantity.parse("1.5")));
        assertThrows(IllegalArgumentException.class, () -> new Isolator.CapabilitiesRetain(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Isolator.SeccompRetain(List.of("Read"), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new Isolator.SeccompRetain(List.of("read"), Optional.of("eperm")));
        assertEquals(Optional.empty(), new Isolator.SeccompRetain(List.of("read"), Optional.of("")).errno());
    }

    @Test
    void anOtherIsolatorHoldsCompactJsonAndRefusesNonJson() {
        // given
        AcIdentifier name = AcIdentifier.parse("example.com/custom");
        // then
        assertEquals(new Isolator.Other(name, "{\"a\":[1,2]}"), new Isolator.Other(name, "{ \"a\" : [ 1, 2 ] }"));
        assertThrows(IllegalArgumentException.class, () -> new Isolator.Other(name, "{a: 1}"));
        assertThrows(IllegalArgumentException.class, () -> new Isolator.Other(name, "null"));
        assertThrows(IllegalArgumentException.class, () -> new Isolator.Other(name, ""));
    }

    @Test
    void theDefaultCapabilitySetHasTheFourteenOfTheSpec() {
        assertEquals(14, LinuxCapability.DEFAULT_SET.size());
        assertEquals(21, LinuxCapability.CAP_SYS_ADMIN.number());
        assertEquals(40, LinuxCapability.CAP_CHECKPOINT_RESTORE.number());
        assertEquals(Optional.of(LinuxCapability.CAP_NET_RAW), LinuxCapability.byName("CAP_NET_RAW"));
        assertEquals(Optional.empty(), LinuxCapability.byName("NET_RAW"));
    }
}
