package dev.rkj.api.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rkj.api.cli.Cli;
import dev.rkj.testsupport.LeakCheck;
import dev.rkj.testsupport.Privileged;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The web dashboard in a real browser: Debian's chromium, headless, driven through its chromedriver by
 * Selenium (both paths given, so Selenium Manager never runs and nothing is downloaded), against a real
 * daemon on TCP. The browser gets in with the one-time URL {@code rkj dashboard} prints; pods made
 * through the API show up and change state live; a pod's timeline shows its stages in order with their
 * durations; a failed pod shows why; after a daemon restart the page catches up without a reload,
 * missing nothing and repeating nothing. Screenshots go to {@code target/dashboard-*.png}.
 */
@ExtendWith(LeakCheck.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration LIVE = Duration.ofSeconds(20); // a bound on a hang, not a speed claim
    private static final List<String> LANES = List.of("resolve", "verify", "render", "prepare", "launch", "run", "release");

    private DaemonFixture fixture;
    private Http http;
    private ChromeDriver browser;
    private Path profile;

    @BeforeAll
    void start() throws Exception {
        Privileged.require(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs Debian's chromium and chromium-driver (scripts/setup installs them)");
        fixture = DaemonFixture.in("dashboard").start();
        http = fixture.http();
        fixture.image("quick", "[\"/bin/sh\", \"-c\", \"echo hello from $AC_APP_NAME\"]");
        fixture.image("sleeper", "[\"/bin/sh\", \"-c\", \"echo up; exec sleep 600\"]");
        fixture.image("exit7", "[\"/bin/sh\", \"-c\", \"echo failing >&2; exit 7\"]");
        profile = Files.createTempDirectory(fixture.dir, "chromium-");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--window-size=1280,900", "--user-data-dir=" + profile, "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().withLogFile(fixture.dir.resolve("chromedriver.log").toFile()).build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            if (fixture != null) {
                fixture.close();
            }
        }
    }

    @Test
    @Order(1)
    void theLoginUrlIsGoodOnceAndWithoutItTheDashboardIsRefused() throws Exception {
        String base = "http://127.0.0.1:" + fixture.daemon().port;
        browser.get(base + "/");
        assertTrue(browser.getPageSource().contains("Unauthorized"), browser.getPageSource());
        String url = loginUrl();
        assertTrue(url.startsWith(base + "/login?token="), url);
        browser.get(url);
        awaitText(By.id("stream-status"), "live");
        assertEquals(base + "/", browser.getCurrentUrl());
        browser.manage().deleteAllCookies();
        browser.get(url); // used: refused
        assertTrue(browser.getPageSource().contains("used, expired or unknown"), browser.getPageSource());
        browser.get(loginUrl());
        awaitText(By.id("stream-status"), "live");
        assertTrue(browser.manage().getCookieNamed(Dashboard.COOKIE).isHttpOnly(), "the session cookie is HttpOnly");
        assertEquals("Strict", browser.manage().getCookieNamed(Dashboard.COOKIE).getSameSite());
    }

    @Test
    @Order(2)
    void podsAppearAndChangeStateLive() throws Exception {
        String pod = fixture.run("sleeper", true);
        awaitRow(pod, "running");
        screenshot("pods");
        http.post("/v1/pods/" + pod + "/stop", "{\"force\":true}");
        awaitRow(pod, "exited");
        System.out.println("DashboardIT: the row showed pod.exited " + browser.findElement(By.tagName("body"))
                .getAttribute("data-last-lag-ms") + " ms after the journal recorded it (a measurement, not a check)");
        String other = fixture.run("quick", true);
        awaitRow(other, "exited");
        WebElement filter = browser.findElement(By.id("pod-filter"));
        filter.sendKeys(pod.substring(0, 8));
        await().atMost(LIVE).until(() -> browser.findElements(By.cssSelector("#pods tbody tr")).size() == 1);
        assertEquals(pod, browser.findElement(By.cssSelector("#pods tbody tr")).getAttribute("data-pod"));
        filter.sendKeys(org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.CONTROL, "a"), org.openqa.selenium.Keys.BACK_SPACE);
        await().atMost(LIVE).until(() -> browser.findElements(By.cssSelector("#pods tbody tr")).size() >= 2);
    }

    @Test
    @Order(3)
    void aPodsTimelineShowsItsStagesInOrderWithDurationsAndAFailureItsReason() throws Exception {
        String ok = fixture.run("quick", true);
        awaitRow(ok, "exited");
        browser.findElement(By.cssSelector("tr[data-pod='" + ok + "'] a")).sendKeys(org.openqa.selenium.Keys.ENTER);
        await().atMost(LIVE).until(() -> lanes().contains("run") && lanes().contains("launch"));
        List<String> lanes = lanes();
        assertEquals(LANES.stream().filter(lanes::contains).toList(), lanes, "the lanes are in the lifecycle's order");
        assertTrue(lanes.containsAll(List.of("resolve", "render", "prepare", "launch", "run")), lanes.toString());
        long previous = 0;
        for (WebElement lane : browser.findElements(By.cssSelector("#timeline g.lane"))) {
            long start = Long.parseLong(lane.getAttribute("data-start"));
            assertTrue(start >= previous, "each stage starts no earlier than the one before: " + lanes);
            previous = start;
            assertTrue(Long.parseLong(lane.getAttribute("data-ms")) >= 0);
            assertTrue(lane.findElement(By.cssSelector("text.duration")).getText().matches("\\d+(\\.\\d+)? (ms|s).*"),
                    lane.getText());
            assertEquals("false", lane.getAttribute("data-failed"), lane.getAttribute("data-lane"));
        }
        awaitText(By.id("logs"), "hello from quick");
        screenshot("timeline");

        String failed = fixture.run("exit7", true);
        browser.get(base() + "/#/pod/" + failed);
        await().atMost(LIVE).until(() -> !browser.findElements(By.cssSelector(".reasons li[data-lane=run]")).isEmpty());
        String reason = browser.findElement(By.cssSelector(".reasons li[data-lane=run]")).getText();
        assertTrue(reason.contains("exit status 7"), reason);
        assertEquals("true", browser.findElement(By.cssSelector("#timeline g[data-lane=run]")).getAttribute("data-failed"));
        awaitText(By.id("logs"), "failing");

        String refused = fixture.run("quick", ",\"start\":true,\"exec\":\"/no/such/program\"");
        browser.get(base() + "/#/pod/" + refused);
        await().atMost(LIVE).until(() -> !browser.findElements(By.cssSelector(".reasons li")).isEmpty());
        String why = browser.findElement(By.cssSelector(".reasons li")).getText();
        assertTrue(why.contains("/no/such/program"), why);
        screenshot("failed");
    }

    @Test
    @Order(4)
    void theAuditViewFiltersTheJournalAndVerifiesItsChain() throws Exception {
        browser.get(base() + "/#/audit");
        browser.findElement(By.id("verify")).click();
        awaitText(By.id("verify-result"), "intact");
        browser.findElement(By.name("type")).sendKeys("pod.started\n");
        await().atMost(LIVE).until(() -> {
            List<WebElement> rows = browser.findElements(By.cssSelector("#audit tbody tr"));
            return !rows.isEmpty() && rows.stream().allMatch(r -> r.getText().contains("pod.started/"));
        });
        browser.get(base() + "/#/images");
        awaitText(By.id("images"), "example.com/sleeper");
    }

    @Test
    @Order(5)
    void afterTheDaemonRestartsThePageCatchesUpWithoutAReload() throws Exception {
        browser.get(base() + "/#/");
        awaitText(By.id("stream-status"), "live");
        browser.executeScript("window.notReloaded = true;");
        fixture.daemon().close(); // stopped: the page reconnects, and the pod below is made while it cannot
        awaitText(By.id("stream-status"), "reconnecting");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProcessBuilder run = new ProcessBuilder(DaemonProcess.rkj(fixture.data, "run", "--insecure-options=image",
                "--uuid-file-save", fixture.dir.resolve("offline.uuid").toString(), fixture.imageId("quick")))
                .redirectErrorStream(true);
        run.environment().put("RKJ_NO_DAEMON", "1");
        Process p = run.start();
        p.getInputStream().transferTo(out);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), out.toString(StandardCharsets.UTF_8));
        String offline = Files.readString(fixture.dir.resolve("offline.uuid")).strip();
        fixture.restartOnSamePort();
        awaitRow(offline, "exited");
        awaitText(By.id("stream-status"), "live");
        assertEquals(Boolean.TRUE, browser.executeScript("return window.notReloaded === true;"), "the page was not reloaded");
        assertEquals("0", browser.findElement(By.tagName("body")).getAttribute("data-repeats"), "no event came twice");
        long end = http.get("/v1/journal?limit=1").json().get("end").asLong();
        await().atMost(LIVE).until(() -> Long.parseLong(browser.findElement(By.tagName("body"))
                .getAttribute("data-last-index")) >= end - 1);
        screenshot("after-restart");
    }

    private String base() {
        return "http://127.0.0.1:" + fixture.daemon().port;
    }

    /** The URL {@code rkj dashboard} prints (the command run here, in-process, against the daemon's socket). */
    private String loginUrl() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .execute("--dir", fixture.data.toString(), "dashboard", "--socket", fixture.daemon().socket.toString());
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("open it once"), err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
    }

    private void awaitRow(String pod, String state) {
        await().atMost(LIVE).pollInterval(Duration.ofMillis(50)).until(() -> browser.findElements(
                By.cssSelector("#pods tr[data-pod='" + pod + "'][data-state='" + state + "']")).size() == 1);
    }

    private void awaitText(By where, String text) {
        await().atMost(LIVE).pollInterval(Duration.ofMillis(50)).until(() -> browser.findElements(where).stream()
                .anyMatch(e -> e.getText().contains(text)));
    }

    private List<String> lanes() {
        List<String> lanes = new ArrayList<>();
        for (WebElement lane : browser.findElements(By.cssSelector("#timeline g.lane"))) {
            lanes.add(lane.getAttribute("data-lane"));
        }
        return lanes;
    }

    private void screenshot(String name) throws Exception {
        Path target = Path.of("target");
        Files.createDirectories(target);
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), target.resolve("dashboard-" + name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
