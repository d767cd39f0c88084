package dev.rkj.engine.appc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading reports every problem with its JSON path, in the spec's spelling of keys. */
class ManifestValidationTest {
    private static final String ID = "sha512-" + "ab".repeat(64);

    @Test
    void imageManifestWithManyProblemsReportsEachAtItsPath() {
        // given
        byte[] json = Examples.resource("image-many-problems.json");
        // when
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestCodec.parseImageManifest(json));
        // then
        assertEquals(sorted(List.of(
                "$.acKind", "$.acVersion", "$.name",
                "$.labels[2].name", "$.labels[3].value", "$.labels[4].name", "$.labels[5].name",
                "$.app.exec[0]", "$.app.user", "$.app.supplementaryGIDs[1]", "$.app.supplementaryGIDs[2]",
                "$.app.eventHandlers[1].name", "$.app.eventHandlers[2].name", "$.app.eventHandlers[2].exec",
                "$.app.workingDirectory",
                "$.app.environment[1].name", "$.app.environment[2].name", "$.app.environment[3].value",
                "$.app.isolators[0].value.request", "$.app.isolators[1].value.limit",
                "$.app.isolators[2].value.set[1]", "$.app.isolators[3].name", "$.app.isolators[4].value",
                "$.app.isolators[5].name", "$.app.isolators[6].name",
                "$.app.mountPoints[0].name", "$.app.mountPoints[0].path",
                "$.app.ports[0].port", "$.app.ports[1].count", "$.app.ports[2].port", "$.app.ports[2].protocol",
                "$.app.ports[2].name",
                "$.dependencies[0].imageName", "$.dependencies[0].imageID", "$.dependencies[0].size",
                "$.pathWhitelist[1]",
                "$.annotations[0].value", "$.annotations[1].value", "$.annotations[2].name")), sorted(paths(e)));
        Map<String, String> byPath = byPath(e);
        assertEquals("required", byPath.get("$.name"));
        assertEquals("is \"PodManifest\", expected \"ImageManifest\"", byPath.get("$.acKind"));
        assertTrue(byPath.get("$.labels[2].name").startsWith("\"OS\" is not a valid AC Identifier"));
        assertEquals("duplicate label \"os\" (first at $.labels[1])", byPath.get("$.labels[4].name"));
        assertTrue(byPath.get("$.labels[3].value").startsWith("arch \"arm64\" is not valid for os \"linux\""));
        assertEquals("must be an integer, not a string", byPath.get("$.app.ports[2].port"));
        assertTrue(byPath.get("$.app.isolators[0].value.request").startsWith("request 2 is more than the limit 1"));
        assertTrue(byPath.get("$.app.isolators[3].name").contains("cannot be combined with"));
        assertTrue(byPath.get("$.app.isolators[6].name").startsWith("only one \"resource/cpu\" isolator"));
        assertTrue(byPath.get("$.app.workingDirectory").endsWith("must be an absolute path (starting with /)"));
        assertTrue(e.getMessage().startsWith("invalid image manifest (39 problems); fix these fields and retry:\n"
                + "  $."), e.getMessage());
    }

    @Test
    void podManifestWithManyProblemsReportsEachAtItsPath() {
        // given
        byte[] json = Examples.resource("pod-many-problems.json");
        // when
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestCodec.parsePodManifest(json));
        // then
        assertEquals(sorted(podProblemsCommonToTemplateAndRuntime(List.of(
                "$.apps[0].image.id", "$.apps[0].mounts[1].volume"))), sorted(paths(e)));
        Map<String, String> byPath = byPath(e);
        assertTrue(byPath.get("$.apps[1].app.ports[0].name").contains("is also used at $.apps[0].app.ports[0].name"));
        assertTrue(byPath.get("$.apps[0].mounts[1].volume").startsWith("no volume named \"nowhere\" in $.volumes"));
        assertTrue(byPath.get("$.isolators[0].name").contains("applies to single apps only"));
        assertTrue(byPath.get("$.apps[0].app.isolators[0].name").contains("applies to whole pods only"));
        assertEquals("must be a string, not the number 5", byPath.get("$.userLabels.team"));
    }

    @Test
    void podTemplateWithTheSameProblemsLeavesOutOnlyTheReifiedChecks() {
        // given
        byte[] json = Examples.resource("pod-many-problems.json");
        // when
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestCodec.parsePodTemplate(json));
        // then
        assertEquals(sorted(podProblemsCommonToTemplateAndRuntime(List.of())), sorted(paths(e)));
    }

    private static List<String> podProblemsCommonToTemplateAndRuntime(List<String> more) {
        List<String> paths = new java.util.ArrayList<>(List.of(
                "$.acKind", "$.acVersion",
                "$.apps[0].name", "$.apps[0].image.labels[0].value", "$.apps[0].app.isolators[0].name",
                "$.apps[0].mounts[1].path", "$.apps[0].annotations[0].name",
                "$.apps[1].image.id", "$.apps[1].app.ports[0].name", "$.apps[1].readOnlyRootFS",
                "$.apps[2].name", "$.apps[3].name",
                "$.volumes[0].source", "$.volumes[1].name", "$.volumes[1].mode", "$.volumes[2].kind",
                "$.volumes[2].uid",
                "$.isolators[0].name", "$.isolators[1].value.limit",
                "$.annotations[0].name",
                "$.ports[0].hostPort", "$.ports[0].hostIP", "$.ports[1].name",
                "$.userLabels.team"));
        paths.addAll(more);
        return paths;
    }

    @Test
    void malformedJsonIsOneProblemWithLineAndColumn() {
        // given
        byte[] json = "{\n  \"acKind\": \"ImageManifest\",\n  \"name\": ,\n}".getBytes(StandardCharsets.UTF_8);
        // when
        ManifestException e = assertThrows(ManifestException.class, () -> ManifestCodec.parseImageManifest(json));
        // then
        assertEquals(1, e.problems().size());
        Problem p = e.problems().get(0);
        assertEquals("$", p.jsonPath());
        assertTrue(p.message().startsWith("malformed JSON at line 3, column 11: "), p.message());
    }

    @Test
    void rejectsAnEmptyDocumentTrailingContentAndDuplicateKeys() {
        assertEquals(List.of("$: empty document: expected a JSON object"),
                problems(() -> ManifestCodec.parseImageManifest(new byte[0])));
        assertTrue(problems(() -> ManifestCodec.parseImageManifest(bytes("{} {}"))).get(0)
                .startsWith("$: malformed JSON"));
        assertTrue(problems(() -> ManifestCodec.parseImageManifest(bytes("{\"name\": \"a\", \"name\": \"b\"}")))
                .get(0).contains("Duplicate field 'name'"));
    }

    @Test
    void aDocumentThatIsNotAnObjectSaysSo() {
        assertEquals(List.of("$: must be an object, not a list"),
                problems(() -> ManifestCodec.parseImageManifest(bytes("[1, 2]"))));
    }

    @Test
    void acceptsKeysInAnyCaseAsTheReferenceImplementationDid() throws Exception {
        // given
        String json = """
                {"ACKIND": "ImageManifest", "acversion": "0.8.11", "Name": "example.com/app",
                 "Labels": [{"NAME": "os", "Value": "linux"}],
                 "app": {"Exec": ["/bin/app"], "USER": "0", "group": "0", "supplementaryGids": [10, 20],
                         "workingdirectory": "/srv", "mountpoints": [{"name": "data", "path": "/data", "READONLY": true}],
                         "Isolators": [{"Name": "resource/memory", "VALUE": {"Limit": "128Mi"}}]},
                 "dependencies": [{"imagename": "example.com/base", "imageId": "%s"}]}
                """.formatted(ID);
        // when
        ImageManifest m = ManifestCodec.parseImageManifest(bytes(json));
        // then
        App app = m.app().orElseThrow();
        assertEquals(List.of(10L, 20L), app.supplementaryGids());
        assertEquals("/srv", app.workingDirectory());
        assertTrue(app.mountPoints().get(0).readOnly());
        assertEquals(134_217_728L, app.isolator(Isolator.Memory.class).orElseThrow().limitBytes().getAsLong());
        assertEquals(Optional.of(ImageId.parse(ID)), m.dependencies().get(0).imageId());
        String written = new String(ManifestCodec.write(m), StandardCharsets.UTF_8);
        assertTrue(written.contains("\"supplementaryGIDs\": ["), written);
        assertTrue(written.contains("\"workingDirectory\": \"/srv\""), written);
        assertTrue(written.contains("\"imageID\": \"" + ID + "\""), written);
        assertTrue(written.contains("\"limit\": \"128Mi\""), written);
    }

    @Test
    void problemPathsUseTheSpecsSpellingWhateverTheInputCase() {
        // given
        String json = """
                {"ACKIND": "ImageManifest", "ACVERSION": "0.8.11", "NAME": "a",
                 "APP": {"USER": 5, "GROUP": "0", "WORKINGDIRECTORY": "rel", "MOUNTPOINTS": [{"NAME": "X", "PATH": "/x"}]}}""";
        // then
        assertEquals(sorted(List.of("$.app.user", "$.app.workingDirectory", "$.app.mountPoints[0].name")),
                sorted(problemPaths(() -> ManifestCodec.parseImageManifest(bytes(json)))));
    }

    @Test
    void aDefinedIsolatorMayAppearOnlyOnceEvenWhenRkjKeepsItAsJson() {
        // given
        String json = image("""
                [{"name": "os/linux/apparmor-profile", "value": {"profile": "a"}},
                 {"name": "os/linux/apparmor-profile", "value": {"profile": "b"}},
                 {"name": "example.com/custom", "value": 1},
                 {"name": "example.com/custom", "value": 2}]""");
        // then
        assertEquals(List.of("$.app.isolators[1].name"),
                problemPaths(() -> ManifestCodec.parseImageManifest(bytes(json))));
    }

    @Test
    void aKeyGivenTwiceInDifferentCaseIsAProblem() {
        // given
        String json = """
                {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "a", "NAME": "b"}""";
        // then
        assertEquals(List.of("$.name: given twice, as \"name\" and \"NAME\" (keys are case-insensitive): keep one"),
                problems(() -> ManifestCodec.parseImageManifest(bytes(json))));
    }

    @Test
    void ignoresUnknownKeysForForwardCompatibility() throws Exception {
        // given
        String json = """
                {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "a", "futureField": {"x": 1},
                 "app": {"user": "0", "group": "0", "newThing": true}}""";
        // when
        ImageManifest m = ManifestCodec.parseImageManifest(bytes(json));
        // then
        assertEquals("a", m.name().value());
        assertTrue(m.app().orElseThrow().exec().isEmpty());
    }

    @Test
    void reportsEveryWrongTypeNotJustTheFirst() {
        // given
        String json = """
                {"acKind": 1, "acVersion": "0.8.11", "name": ["a"], "labels": {"os": "linux"},
                 "app": {"exec": "/bin/sh", "user": 0, "group": "0", "supplementaryGIDs": [1.5, null],
                         "ports": [{"name": "p", "protocol": "tcp", "port": 99999999999999999999}]},
                 "pathWhitelist": [true]}""";
        // then
        assertEquals(List.of(
                "$.acKind: must be a string, not the number 1",
                "$.name: must be a string, not a list",
                "$.labels: must be a list, not an object",
                "$.app.exec: must be a list, not a string",
                "$.app.user: must be a string, not the number 0",
                "$.app.supplementaryGIDs[0]: must be an integer, not the number 1.5",
                "$.app.supplementaryGIDs[1]: must not be null",
                "$.app.ports[0].port: must be an integer of at most 19 digits, not the number 99999999999999999999",
                "$.pathWhitelist[0]: must be a string, not true"),
                problems(() -> ManifestCodec.parseImageManifest(bytes(json))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.9.0", "0.8.12", "1.0.0", "0.8.11+git", "0.0.1", "0.0.0-rc.1"})
    void readsAnyNonZeroAcVersionAsAppcsReferenceCodeDoes(String version) throws Exception {
        // given: a manifest of a newer appc, with a field this version does not know
        String json = "{\"acKind\": \"ImageManifest\", \"acVersion\": \"" + version + "\", \"name\": \"example.com/~user/app_v1\","
                + " \"labels\": [{\"name\": \"os\", \"value\": \"linux\"}, {\"name\": \"arch\", \"value\": \"s390x\"}],"
                + " \"futureField\": true}";
        // when
        ImageManifest manifest = ManifestCodec.parseImageManifest(bytes(json));
        // then
        assertEquals(AcVersion.parse(version), manifest.acVersion());
        assertEquals("example.com/~user/app_v1", manifest.name().value());
        assertEquals(version, ManifestCodec.parsePodManifest(bytes("{\"acKind\": \"PodManifest\", \"acVersion\": \""
                + version + "\", \"apps\": [{\"name\": \"a\", \"image\": {\"id\": \"sha512-" + "0".repeat(128) + "\"}}]}"))
                .acVersion().toString());
    }

    @Test
    void rejectsTheZeroAcVersionAndOneThatIsNotSemVer() {
        assertEquals(List.of("$.acVersion: acVersion 0.0.0 is not a version: give the appc version the manifest"
                        + " follows, e.g. 0.8.11"),
                problems(() -> ManifestCodec.parseImageManifest(bytes(
                        "{\"acKind\": \"ImageManifest\", \"acVersion\": \"0.0.0\", \"name\": \"a\"}"))));
        assertEquals(List.of("$.acVersion: \"0.8\" is not a SemVer 2.0.0 version: use MAJOR.MINOR.PATCH, e.g. 1.0.0 or"
                        + " 2.1.0-rc.1"),
                problems(() -> ManifestCodec.parseImageManifest(bytes(
                        "{\"acKind\": \"ImageManifest\", \"acVersion\": \"0.8\", \"name\": \"a\"}"))));
    }

    @Test
    void namesTheFieldOfAnInvalidNameOrArch() {
        assertEquals(List.of("$.labels[1].value: arch \"arm64\" is not valid for os \"linux\": use one of [aarch64,"
                        + " aarch64_be, amd64, armv6l, armv7b, armv7l, i386, ppc64, ppc64le, s390x]",
                        "$.name: \"example.com/~user/\" is not a valid AC Identifier: it must begin and end with a lowercase"
                        + " letter or digit (e.g. example.com/app)"),
                sorted(problems(() -> ManifestCodec.parseImageManifest(bytes("{\"acKind\": \"ImageManifest\","
                        + " \"acVersion\": \"0.8.11\", \"name\": \"example.com/~user/\", \"labels\": [{\"name\": \"os\","
                        + " \"value\": \"linux\"}, {\"name\": \"arch\", \"value\": \"arm64\"}]}")))));
    }

    @Test
    void checksSeccompSetsAndErrno() {
        // given
        String json = image("""
                [{"name": "os/linux/seccomp-retain-set", "value": {"set": ["read", "Write", "@appc.io"], "errno": "eperm"}},
                 {"name": "os/linux/seccomp-remove-set", "value": {"set": []}}]""");
        // then
        assertEquals(sorted(List.of("$.app.isolators[0].value.set[1]", "$.app.isolators[0].value.set[2]",
                        "$.app.isolators[0].value.errno", "$.app.isolators[1].name", "$.app.isolators[1].value.set")),
                sorted(problemPaths(() -> ManifestCodec.parseImageManifest(bytes(json)))));
    }

    @Test
    void acceptsSeccompWildcardsAndAnEmptyErrnoMeaningSigsys() throws Exception {
        // given
        String json = image("""
                [{"name": "os/linux/seccomp-retain-set", "value": {"set": ["@appc.io/all", "read"], "errno": ""}}]""");
        // when
        App app = ManifestCodec.parseImageManifest(bytes(json)).app().orElseThrow();
        // then
        assertEquals(new Isolator.SeccompRetain(List.of("@appc.io/all", "read"), Optional.empty()),
                app.isolators().get(0));
    }

    @Test
    void resourceQuantitiesMustBeWholeBytesAndWholeMillicores() {
        // given
        String json = image("""
                [{"name": "resource/memory", "value": {"request": "500m", "limit": "1Gi"}},
                 {"name": "resource/cpu", "value": {"request": "0.0001"}},
                 {"name": "resource/network-bandwidth", "value": {"default": true, "limit": "1G"}}]""");
        // when
        Map<String, String> byPath = byPath(assertThrows(ManifestException.class,
                () -> ManifestCodec.parseImageManifest(bytes(json))));
        // then
        assertEquals(List.of("$.app.isolators[0].value.request", "$.app.isolators[1].value.request"),
                sorted(List.copyOf(byPath.keySet())));
        assertEquals("\"500m\" is not a whole number of base units (memory is counted in whole bytes)",
                byPath.get("$.app.isolators[0].value.request"));
    }

    @Test
    void aResourceIsolatorNeedsARequestOrALimit() {
        assertEquals(List.of("$.app.isolators[0].value: resource/cpu needs a limit or a request, e.g. {\"limit\": \"500m\"}"),
                problems(() -> ManifestCodec.parseImageManifest(bytes(image(
                        "[{\"name\": \"resource/cpu\", \"value\": {}}]")))));
    }

    @Test
    void unknownIsolatorsAreKeptAsJsonAndWrittenBack() throws Exception {
        // given
        String json = image("""
                [{"name": "os/linux/apparmor-profile", "value": {"profile": "rkt-default"}}]""");
        // when
        ImageManifest m = ManifestCodec.parseImageManifest(bytes(json));
        // then
        assertEquals(new Isolator.Other(AcIdentifier.parse("os/linux/apparmor-profile"), "{\"profile\":\"rkt-default\"}"),
                m.app().orElseThrow().isolators().get(0));
        assertEquals(m, ManifestCodec.parseImageManifest(ManifestCodec.write(m)));
    }

    @Test
    void aTemplateAppImageNeedsAnIdOrAName() {
        // given
        String json = """
                {"acKind": "PodManifest", "acVersion": "0.8.11",
                 "apps": [{"name": "a", "image": {"labels": [{"name": "version", "value": "1.0.0"}]}}]}""";
        // then
        assertEquals(List.of("$.apps[0].image: needs an id, or at least a name to resolve one"),
                problems(() -> ManifestCodec.parsePodTemplate(bytes(json))));
    }

    @Test
    void aPodNeedsAtLeastOneApp() {
        assertEquals(List.of("$.apps: must list at least one app"), problems(() -> ManifestCodec.parsePodManifest(
                bytes("{\"acKind\": \"PodManifest\", \"acVersion\": \"0.8.11\", \"apps\": []}"))));
        assertEquals(List.of("$.apps: required"), problems(() -> ManifestCodec.parsePodManifest(
                bytes("{\"acKind\": \"PodManifest\", \"acVersion\": \"0.8.11\"}"))));
    }

    @Test
    void aMountWithAnAppVolumeNeedsNoPodVolume() throws Exception {
        // given
        String json = """
                {"acKind": "PodManifest", "acVersion": "0.8.11",
                 "apps": [{"name": "a", "image": {"id": "%s"},
                           "mounts": [{"volume": "scratch", "path": "/tmp",
                                       "appVolume": {"name": "scratch", "kind": "empty", "mode": "1777"}}]}]}"""
                .formatted(ID);
        // when
        PodManifest pod = ManifestCodec.parsePodManifest(bytes(json));
        // then
        Volume v = pod.volumeFor(pod.apps().get(0).mounts().get(0)).orElseThrow();
        assertEquals(01777, v.mode());
        assertTrue(pod.isReified());
        assertEquals(pod, ManifestCodec.parsePodManifest(ManifestCodec.write(pod)));
    }

    private static String image(String isolators) {
        return """
                {"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "example.com/app",
                 "app": {"exec": ["/bin/app"], "user": "0", "group": "0", "isolators": %s}}""".formatted(isolators);
    }

    private interface Parse {
        Object run() throws ManifestException;
    }

    private static List<String> problems(Parse parse) {
        return assertThrows(ManifestException.class, parse::run).problems().stream().map(Problem::toString).toList();
    }

    private static List<String> problemPaths(Parse parse) {
        return paths(assertThrows(ManifestException.class, parse::run));
    }

    private static List<String> paths(ManifestException e) {
        return e.problems().stream().map(Problem::jsonPath).toList();
    }

    private static Map<String, String> byPath(ManifestException e) {
        return e.problems().stream().collect(Collectors.toMap(Problem::jsonPath, Problem::message));
    }

    private static List<String> sorted(List<String> list) {
        return list.stream().sorted().toList();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
