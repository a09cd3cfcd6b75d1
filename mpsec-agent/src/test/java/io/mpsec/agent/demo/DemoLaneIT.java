package io.mpsec.agent.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mpsec.testbed.Privileged;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The demo as {@code --lane} runs it: in the lane's stock kernel, which has ESP, so {@code setup} puts
 * IPsec on every path. The dashboard's packet security panel must say ESP for both paths, and its
 * counters must agree with the kernel's own SA counters ({@code ip -s xfrm state}) and with a tcpdump
 * that sees only ESP between the peers.
 *
 * <p>Run it alone: {@code MPSEC_KL_MODULES=mpsec-agent MPSEC_KL_INCLUDE='.*DemoLaneIT' kernel-lane/run.sh}.
 */
@Tag("kernel-lane")
class DemoLaneIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyPathCarriesEspAndTheDashboardSaysSo() throws Exception {
        Privileged.require();
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        // the stream runs until the checks are done (stop()); the duration only caps it
        DemoOptions o = new DemoOptions(2, LaneDemo.DEFAULT_RATE_MBIT, 900, FaultSchedule.none(), port, out, false);
        StreamDemo streamDemo = new StreamDemo(o);
        CompletableFuture<Integer> demo = CompletableFuture.supplyAsync(() -> {
            try {
                return streamDemo.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        String pc1 = "mpsec-demo-" + ProcessHandle.current().pid() + "-pc1";
        String pc2 = "mpsec-demo-" + ProcessHandle.current().pid() + "-pc2";
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        String base = "http://127.0.0.1:" + port;
        waitForStream(buf, demo);
        TimeUnit.SECONDS.sleep(5);
        try {
            check(http, base, pc1, pc2);
        } catch (Throwable t) {
            System.out.println("the demo so far:\n" + buf.toString(StandardCharsets.UTF_8));
            try {
                String ev = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/events?after=0&limit=200")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                System.out.println("error events: " + java.util.Arrays.stream(ev.split("\\},\\{")).filter(e -> e.contains("error")).toList());
                for (int i = 0; i < 3; i++) {
                    TimeUnit.SECONDS.sleep(2);
                    System.out.println("security again: " + get(http, base + "/api/v1/security"));
                }
                get(http, base + "/metrics").lines().filter(l -> l.contains("packet_security") || l.contains("read_failures"))
                        .forEach(System.out::println);
            } catch (Throwable e) {
                System.out.println("no diagnostics: " + e);
            }
            throw t;
        } finally {
            streamDemo.stop();
        }
        int exit = demo.get(600, TimeUnit.SECONDS);
        String text = buf.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        assertThat(exit).as(text).isZero();
        assertThat(text).contains("every byte verified, SHA-256 equal (nothing lost)").doesNotContain("WITHOUT encryption");
        assertThat(Files.exists(Path.of("/var/run/netns", pc1))).as("demo namespaces removed").isFalse();
    }

    private static void check(HttpClient http, String base, String pc1, String pc2) throws Exception {

        // under software emulation the agent's first answers take many seconds (cold JIT)
        JsonNode security = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (System.nanoTime() < deadline) {
            security = JSON.readTree(get(http, base + "/api/v1/security"));
            if (verdicts(security, pc2).equals(List.of("esp", "esp"))) {
                break;
            }
            TimeUnit.SECONDS.sleep(1);
        }
        assertThat(verdicts(security, pc2)).as("the security panel of PC2 (the streaming side):\n" + security).containsExactly("esp", "esp");
        assertThat(verdicts(security, pc1)).as("the security panel of PC1:\n" + security).containsOnly("esp");

        // the dashboard's ESP counters against the kernel's SA counters, read before and after. What
        // leaves pc2P goes to 198.18.P.1 (the connected route), from either of PC2's addresses: the
        // second subflow joins from 198.18.2.1 to 198.18.1.2, so its replies use the SA 198.18.1.2 -> 198.18.2.1
        // The dashboard samples the counters periodically (and slowly under emulation), so its figure may
        // lag the kernel's: wait up to 30 s for it to reach 90% of the SA count read first, then read the SA
        // count again; the dashboard must never exceed it (beyond 10%).
        for (int p = 1; p <= 2; p++) {
            long before = saPackets(pc2, DemoTestbed.address(p, 1));
            assertThat(before).as("path %d carries ESP (ip -s xfrm state)", p).isPositive();
            long counted = metric(get(http, base + "/metrics"), pc2, DemoTestbed.iface(2, p));
            long catchUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (counted < before * 0.9 && System.nanoTime() < catchUp) {
                TimeUnit.MILLISECONDS.sleep(500);
                counted = metric(get(http, base + "/metrics"), pc2, DemoTestbed.iface(2, p));
            }
            long after = saPackets(pc2, DemoTestbed.address(p, 1));
            assertThat(counted).as("ESP packets out of pc2%d: dashboard %d, ip -s xfrm state %d (before) .. %d (after)", p, counted, before, after)
                    .isBetween((long) (before * 0.9), (long) (after * 1.1) + 10);
        }

        // an independent witness: tcpdump on both of PC1's paths sees ESP and no readable TCP
        for (int p = 1; p <= 2; p++) {
            String dump = tcpdump(pc1, DemoTestbed.iface(1, p));
            long esp = dump.lines().filter(l -> l.contains("ESP(spi=")).count();
            long tcp = dump.lines().filter(l -> l.contains(": Flags [")).count();
            assertThat(esp).as("ESP packets seen by tcpdump on pc1%d:\n%s", p, dump).isPositive();
            assertThat(tcp).as("cleartext TCP seen by tcpdump on pc1%d", p).isZero();
        }
    }

    private static void waitForStream(ByteArrayOutputStream buf, CompletableFuture<Integer> demo) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(400);
        while (!buf.toString(StandardCharsets.UTF_8).contains("streaming PC2 -> PC1")) {
            if (demo.isDone() || System.nanoTime() > deadline) {
                throw new AssertionError("the demo did not start streaming:\n" + buf.toString(StandardCharsets.UTF_8)
                        + (demo.isDone() ? "\nexit " + demo.get() : ""));
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    private static List<String> verdicts(JsonNode security, String netns) {
        return java.util.stream.StreamSupport.stream(security.get("interfaces").spliterator(), false)
                .filter(i -> netns.equals(i.get("netns").asText())).map(i -> i.get("verdict").asText()).toList();
    }

    private static String get(HttpClient http, String url) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(180)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url).isEqualTo(200);
        return r.body();
    }

    /** ESP packets out of {@code iface} in {@code netns} by the agent's kernel counters. */
    private static long metric(String metrics, String netns, String iface) {
        Matcher m = Pattern.compile("mpsec_packet_security_packets_total\\{class=\"esp\",direction=\"out\",interface=\""
                + iface + "\",netns=\"" + netns + "\"} ([0-9.E]+)").matcher(metrics);
        assertThat(m.find()).as("ESP out series of %s in /metrics", iface).isTrue();
        return (long) Double.parseDouble(m.group(1));
    }

    /** Packets of every SA to {@code dst}, by {@code ip -s xfrm state}. */
    private static long saPackets(String netns, String dst) throws IOException, InterruptedException {
        String out = sh("ip", "-n", netns, "-s", "xfrm", "state");
        long total = 0;
        for (String sa : out.split("(?m)^(?=src )")) {
            if (sa.matches("(?s)src \\S+ dst " + Pattern.quote(dst) + "\\s.*")) {
                Matcher m = Pattern.compile("(\\d+)\\(bytes\\), (\\d+)\\(packets\\)").matcher(sa);
                if (m.find()) {
                    total += Long.parseLong(m.group(2));
                }
            }
        }
        return total;
    }

    private static String tcpdump(String netns, String iface) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "netns", "exec", netns, "timeout", "-s", "INT", "4", "tcpdump", "-n", "-l",
                "-i", iface, "-c", "200", "net 198.18.0.0/15").redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(20, TimeUnit.SECONDS);
        return out;
    }

    private static String sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
