package io.mpsec.agent.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mpsec.agent.ServeCommand;
import io.mpsec.testbed.Privileged;
import io.mpsec.testbed.Testbed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;

/**
 * The live dashboard in a real headless Chromium (Selenium), over a two-path MPTCP transfer between two
 * namespaces (100 Mbit/s HTB paths): the page's numbers (read from the DOM, not from pixels) match
 * {@code ip -j -s link} read just before and after the snapshot they come from, both paths show
 * traffic and the namespace is shown as multipath; a blackholed path (nft drops at the server) and a
 * path cut with link down are each marked down on the page within 2 s while the traffic moves to the
 * other path (checked with {@code ip -s link} too). The 2 s run from the start of the nft command
 * (blackhole) or from the RTM_NEWLINK that sets the link down, to the moment the page first showed
 * the mark (the page records it with the browser's clock, so the test's own polling does not count). Screenshots go to target/screenshots/; the one of
 * the live two-path run is copied to docs/images/dashboard.png.
 */
class DashboardBrowserIT {
    private static final long MARK_MILLIS = 2_000;
    /** 100 Mbit/s path: a path that carries a fair share moves far more than this (bytes/s, rx + tx). */
    private static final double BUSY = 2_000_000;

    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 100).mptcpLimits(4, 4).build();

    @Test
    void showsTheLiveTwoPathRunAndMarksCutPathsWithinTwoSeconds() throws Exception {
        Path chromium = Privileged.requireTool("chromium", "chromium");
        Path chromedriver = Privileged.requireTool("chromedriver", "chromium-driver");
        Privileged.requireTool("nft", "nftables");
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        String ns = c.namespace();
        c.execOk("ip", "mptcp", "endpoint", "add", c.address(2).getHostAddress(), "dev", c.iface(2), "subflow");
        Path shots = Files.createDirectories(Path.of("target", "screenshots"));
        long t0 = System.nanoTime();
        try (ServeCommand.Agent agent = ServeCommand.Agent.start("127.0.0.1", 0, true, List.of(ns));
             BulkTransfer transfer = new BulkTransfer(c, s, s.address(1))) {
            assertThat(transfer.multipath()).isTrue();
            System.out.printf("agent and transfer up %.1f s after the start%n", (System.nanoTime() - t0) / 1e9);
            ChromeDriver driver = browser(chromium, chromedriver);
            try {
                driver.get("http://127.0.0.1:" + agent.server().port() + "/");
                DashboardPage page = new DashboardPage(driver);
                System.out.printf("browser up, page requested %.1f s after the start%n", (System.nanoTime() - t0) / 1e9);
                DashboardPage.View v = page.await("both paths busy and multipath", 40_000, x -> "live".equals(x.stream())
                        && x.rate(ns, "c1") > BUSY && x.rate(ns, "c2") > BUSY
                        && "multipath".equals(x.modes().get(ns).get("mode")));
                System.out.printf("page live with both paths busy %.1f s after the start%n", (System.nanoTime() - t0) / 1e9);
                assertThat(v.canvases()).as("uPlot chart drawn").isEqualTo(1);
                assertThat(v.status(ns, "c1")).isEqualTo("up");
                assertThat(v.legend()).containsKeys(ns + "/c1", ns + "/c2", ns + "/total");
                long mptcp = c.execOk("ss", "-MnH", "state", "established").stdout().lines().filter(l -> !l.isBlank()).count();
                assertThat(mptcp).as("ss -M lists the transfer's MPTCP connection").isPositive();
                assertThat(v.connections()).as("MPTCP connections in the table vs ss -M in " + ns).isEqualTo(mptcp);
                matchesIpLink(page, c, ns);
                keyboardReachesTheSkipLinkAndTheTables(driver);
                assetsAndApi(agent.server().port(), c, ns);

                Thread.sleep(4_000); // some chart history for the picture
                page.await("system panel", 5_000, x -> !x.kernel().isEmpty());
                Path live = screenshot(driver, shots.resolve("dashboard-two-paths.png"));
                Path docs = Path.of("..", "docs", "images");
                if (Files.exists(Path.of("..", "mpsec-agent", "pom.xml"))) { // run from the module directory of a checkout
                    Files.createDirectories(docs);
                    Files.copy(live, docs.resolve("dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
                }

                phoneAndDarkScheme(driver, shots);

                // 1) blackhole: path 1 silently drops everything at the server. Timed from the start of the nft
                // command (it includes starting nft), to when the page first showed the mark (browser clock).
                long before = transfer.received();
                long cut = System.currentTimeMillis();
                NET.path(1).blackhole();
                long nftMillis = System.currentTimeMillis() - cut;
                DashboardPage.View silent = page.await("c1 marked down after the blackhole", 10_000,
                        x -> x.status(ns, "c1").equals("silent") || x.status(ns, "c1").equals("down"));
                long silentMillis = silent.statusAt(ns, "c1") - cut;
                System.out.printf("blackhole marked %s on the page %d ms after the nft command started (which took %d ms)%n",
                        silent.status(ns, "c1"), silentMillis, nftMillis);
                assertThat(silentMillis).as("blackhole marked within 2 s").isBetween(0L, MARK_MILLIS);
                trafficMovedToPath2(page, c, ns, "blackhole");
                assertThat(transfer.received()).as("the transfer goes on").isGreaterThan(before + 1_000_000);
                screenshot(driver, shots.resolve("dashboard-blackhole.png"));
                NET.path(1).restore();
                long restored = System.nanoTime();
                page.await("c1 up again after the blackhole", 20_000, x -> x.status(ns, "c1").equals("up"));
                System.out.printf("c1 up again %d ms after the blackhole was removed%n", (System.nanoTime() - restored) / 1_000_000);

                // 2) link down: c1 with one RTM_NEWLINK (timed exactly), then the server end too
                before = transfer.received();
                try (LinkDown link = new LinkDown(ns, c.iface(1))) {
                    cut = link.down();
                }
                NET.path(1).cut();
                DashboardPage.View down = page.await("c1 marked down after link down", 10_000,
                        x -> x.status(ns, "c1").equals("down"));
                long downMillis = down.statusAt(ns, "c1") - cut;
                System.out.printf("link down marked on the page after %d ms%n", downMillis);
                assertThat(downMillis).as("link down marked within 2 s").isBetween(0L, MARK_MILLIS);
                trafficMovedToPath2(page, c, ns, "link down");
                assertThat(transfer.received()).as("the transfer goes on").isGreaterThan(before + 1_000_000);
                DashboardPage.View after = page.read();
                assertThat(after.events()).contains("path-silent c1", "path-down c1");
                assertThat(after.legend().get(ns + "/c1").get("status")).isEqualTo("down");
                screenshot(driver, shots.resolve("dashboard-link-down.png"));
                NET.path(1).restore();
            } finally {
                driver.quit();
            }
            assertThat(transfer.failure()).isNull();
        }
        System.out.printf("DashboardBrowserIT took %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    private static ChromeDriver browser(Path chromium, Path chromedriver) {
        ChromeOptions o = new ChromeOptions();
        o.setBinary(chromium.toFile());
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--disable-extensions", "--no-first-run");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort().build();
        ChromeDriver d = new ChromeDriver(service, o);
        d.manage().timeouts().scriptTimeout(Duration.ofSeconds(5));
        return d;
    }

    /**
     * The page's counters lie between two {@code ip -j -s link} readings taken before and after the
     * snapshot they come from (exact, counters only grow); its rate is within 30% of the rate from
     * those two readings... over a longer window.
     */
    private static void matchesIpLink(DashboardPage page, Testbed.Host c, String ns) throws Exception {
        JsonNode a = IpLink.read(c);
        long aMillis = System.currentTimeMillis();
        DashboardPage.View v = page.await("a snapshot newer than the first ip reading", 3_000, x -> x.time() > aMillis + 20);
        JsonNode b = IpLink.read(c);
        long bMillis = System.currentTimeMillis();
        Thread.sleep(2_000);
        JsonNode later = IpLink.read(c);
        long laterMillis = System.currentTimeMillis();
        for (String iface : List.of("c1", "c2")) {
            for (String dir : List.of("rx", "tx")) {
                for (String what : List.of("bytes", "packets")) {
                    long lo = IpLink.counter(a, iface, dir, what);
                    long hi = IpLink.counter(b, iface, dir, what);
                    double shown = v.number(ns, iface, dir + ("bytes".equals(what) ? "Bytes" : "Packets"));
                    assertThat(shown).as("%s %s %s on the page vs ip -s link", iface, dir, what).isBetween((double) lo, (double) hi);
                }
            }
            DashboardPage.View now = page.read();
            double ipRate = (IpLink.counter(later, iface, "tx", "bytes") - IpLink.counter(a, iface, "tx", "bytes")
                    + IpLink.counter(later, iface, "rx", "bytes") - IpLink.counter(a, iface, "rx", "bytes"))
                    / ((laterMillis - aMillis) / 1000.0);
            assertThat(now.rate(ns, iface)).as("%s rate on the page vs ip -s link over %d ms", iface, laterMillis - aMillis)
                    .isBetween(ipRate * 0.7, ipRate * 1.3);
            System.out.printf("%s: page %.1f Mbit/s, ip -s link %.1f Mbit/s (%d ms window)%n", iface,
                    now.rate(ns, iface) * 8 / 1e6, ipRate * 8 / 1e6, bMillis - aMillis);
        }
    }

    /** After a cut, path 2 carries the transfer and path 1 receives nothing: on the page and by ip -s link. */
    private static void trafficMovedToPath2(DashboardPage page, Testbed.Host c, String ns, String what) throws Exception {
        page.await("path 2 busy after the " + what, 5_000, x -> x.rate(ns, "c2") > BUSY * 2);
        JsonNode a = IpLink.read(c);
        Thread.sleep(2_000);
        JsonNode b = IpLink.read(c);
        long rx1 = IpLink.counter(b, "c1", "rx", "bytes") - IpLink.counter(a, "c1", "rx", "bytes");
        long tx2 = IpLink.counter(b, "c2", "tx", "bytes") - IpLink.counter(a, "c2", "tx", "bytes");
        System.out.printf("after the %s: path 1 received %d B, path 2 sent %d B in 2 s%n", what, rx1, tx2);
        assertThat(rx1).as("path 1 receives nothing after the " + what).isZero();
        assertThat(tx2).as("path 2 carries the transfer after the " + what).isGreaterThan(5_000_000L); // 20 Mbit/s
        DashboardPage.View v = page.read();
        assertThat(v.rate(ns, "c1")).as("page: path 1 rate after the " + what).isLessThan(v.rate(ns, "c2") / 10);
    }

    /** Tab from the page start: the skip link first, with a visible focus ring; the tables are reachable regions. */
    private static void keyboardReachesTheSkipLinkAndTheTables(ChromeDriver driver) {
        JavascriptExecutor js = driver;
        js.executeScript("document.activeElement && document.activeElement.blur(); window.focus();");
        new Actions(driver).sendKeys(Keys.TAB).perform();
        assertThat(js.executeScript("return document.activeElement.className")).isEqualTo("skip");
        assertThat((String) js.executeScript("return getComputedStyle(document.activeElement).outlineStyle")).isNotEqualTo("none");
        for (int i = 0; i < 3; i++) {
            new Actions(driver).sendKeys(Keys.TAB).perform();
        }
        Object region = js.executeScript("return document.activeElement.getAttribute('role') + ' ' + "
                + "(document.activeElement.getAttribute('aria-labelledby') || document.activeElement.getAttribute('aria-label'))");
        assertThat(region).asString().startsWith("region ");
    }

    /** On a phone-sized window nothing sticks out of the page sideways; in the dark scheme the page is dark. */
    private static void phoneAndDarkScheme(ChromeDriver driver, Path shots) throws Exception {
        Dimension size = driver.manage().window().getSize();
        driver.manage().window().setSize(new Dimension(390, 844));
        Thread.sleep(1_200);
        Number overflow = (Number) driver.executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
        assertThat(overflow.intValue()).as("horizontal overflow on a 390 px wide window").isLessThanOrEqualTo(0);
        Files.write(shots.resolve("dashboard-phone.png"), driver.getScreenshotAs(OutputType.BYTES));
        driver.manage().window().setSize(size);
        driver.executeCdpCommand("Emulation.setEmulatedMedia",
                java.util.Map.of("features", List.of(java.util.Map.of("name", "prefers-color-scheme", "value", "dark"))));
        Thread.sleep(1_200);
        String bg = (String) driver.executeScript("return getComputedStyle(document.body).backgroundColor");
        assertThat(bg).as("dark background").isEqualTo("rgb(16, 19, 23)");
        screenshot(driver, shots.resolve("dashboard-dark.png"));
        driver.executeCdpCommand("Emulation.setEmulatedMedia",
                java.util.Map.of("features", List.of(java.util.Map.of("name", "prefers-color-scheme", "value", "light"))));
        assertThat((String) driver.executeScript("return getComputedStyle(document.body).backgroundColor"))
                .isEqualTo("rgb(247, 248, 250)");
    }

    /** Content types, caching, traversal, and the API cross-checked with uname, sysctl and ip mptcp. */
    private static void assetsAndApi(int port, Testbed.Host c, String ns) throws Exception {
        RawHttp.Response index = RawHttp.get(port, "/");
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
        assertThat(index.header("Cache-Control")).isEqualTo("no-cache");
        assertThat(index.header("Content-Security-Policy")).contains("default-src 'none'", "script-src 'self'");
        assertThat(RawHttp.get(port, "/", "If-None-Match: " + index.header("ETag")).status()).isEqualTo(304);
        assertThat(RawHttp.get(port, "/assets/app.js").header("Content-Type")).isEqualTo("text/javascript; charset=utf-8");
        RawHttp.Response uplot = RawHttp.get(port, "/vendor/uplot/" + StaticAssets.UPLOT_VERSION + "/uPlot.iife.min.js");
        assertThat(uplot.status()).isEqualTo(200);
        assertThat(uplot.header("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
        for (String evil : List.of("/assets/../index.html", "/assets/%2e%2e/index.html", "/assets/..%2f..%2fpom.xml",
                "/vendor/uplot/" + StaticAssets.UPLOT_VERSION + "/../../../../META-INF/MANIFEST.MF", "/../../etc/passwd",
                "/io/mpsec/agent/web/app.js")) {
            assertThat(RawHttp.get(port, evil).status()).as(evil).isEqualTo(404);
        }
        assertThat(RawHttp.request(port, "POST", "/", false).status()).isEqualTo(405);
        RawHttp.Response stream = RawHttp.head(port, "/api/v1/stream");
        assertThat(stream.header("Content-Type")).isEqualTo("text/event-stream; charset=utf-8");

        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        RawHttp.Response ifs = RawHttp.get(port, "/api/v1/interfaces");
        assertThat(ifs.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
        JsonNode nsNode = json.readTree(ifs.body()).get("namespaces").get(0);
        assertThat(nsNode.get("netns").asText()).isEqualTo(ns);
        assertThat(nsNode.get("activePaths").asInt()).isEqualTo(2);
        JsonNode sys = json.readTree(RawHttp.get(port, "/api/v1/system").body());
        String uname = new String(new ProcessBuilder("uname", "-r").start().getInputStream().readAllBytes()).trim();
        assertThat(sys.get("kernel").asText()).isEqualTo(uname);
        JsonNode nsSys = sys.get("namespaces").get(0);
        assertThat(nsSys.get("pathManager").asText()).isEqualTo(c.sysctl("net.mptcp.path_manager"));
        assertThat(nsSys.get("subflowsLimit").asInt()).isEqualTo(4);
        String endpoints = c.execOk("ip", "mptcp", "endpoint", "show").stdout();
        assertThat(endpoints).contains("198.18.2.1", "subflow", "dev " + c.iface(2));
        JsonNode ep = nsSys.get("endpoints").get(0);
        assertThat(ep.get("address").asText()).isEqualTo("198.18.2.1");
        assertThat(ep.get("flags").toString()).isEqualTo("[\"subflow\"]");
        assertThat(ep.get("iface").asText()).isEqualTo(c.iface(2));
        JsonNode conns = json.readTree(RawHttp.get(port, "/api/v1/connections").body());
        assertThat(conns.get("sources").toString()).as("the watched namespace feeds the table").contains(ns);
        JsonNode conn = conns.get("connections").get(0);
        assertThat(conn.get("netns").asText()).isEqualTo(ns);
        assertThat(conn.get("fallback").asBoolean()).isFalse();
        assertThat(conn.get("subflows").size()).as("both paths carry a subflow: " + conn).isEqualTo(2);
        String ss = c.execOk("ss", "-MnH", "state", "established").stdout();
        assertThat(ss).as("ss -M lists the same connection").contains(conn.get("local").asText());
        assertThat(json.readTree(RawHttp.get(port, "/api/v1/security").body()).get("interfaces").get(0).get("verdict").asText())
                .isEqualTo("unknown");
        String events = RawHttp.get(port, "/api/v1/events?after=0").body();
        assertThat(events).as("the second subflow, from the MPTCP PM events").contains("subflow-added", "198.18.2.1:");
        assertThat(RawHttp.get(port, "/api/v1/events?after=x").status()).isEqualTo(400);
    }

    private static Path screenshot(ChromeDriver driver, Path file) throws Exception {
        driver.executeScript("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);");
        Dimension size = driver.manage().window().getSize();
        long height = ((Number) driver.executeScript("return document.documentElement.scrollHeight")).longValue();
        driver.manage().window().setSize(new Dimension(size.getWidth(), (int) Math.min(6000, height + 120)));
        Thread.sleep(300);
        Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        driver.manage().window().setSize(size);
        return file;
    }
}
