package io.mpsec.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import io.mpsec.ipsec.SaAlgorithm;
import io.mpsec.ipsec.SecretBytes;
import io.mpsec.ipsec.keys.KeyGenerations;
import io.mpsec.ipsec.paths.PathSa;
import io.mpsec.ipsec.paths.SecurePaths;
import io.mpsec.ipsec.xfrm.XfrmClient;
import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.testbed.Privileged;
import io.mpsec.testbed.Testbed;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's {@code /metrics} with real ESP (kernel lane): fail-closed secure paths between c and s on
 * two paths, an MPTCP stream with two subflows (one per path) running, and {@code serve} (in-process,
 * as {@link ServeCommand} runs it) watching both namespaces and publishing both hosts' SAs. One scrape
 * is taken between two readings of the independent tools in each namespace ({@link ToolReadings}), and
 * every series must lie between them:
 * <ul>
 *   <li>{@code mpsec_interface_{bytes,packets}_total} of every interface: {@code ip -s -j link};</li>
 *   <li>{@code mpsec_mptcp_mib_total}, every counter: {@code nstat -asz} (same counter names);</li>
 *   <li>{@code mpsec_mptcp_{connections,subflows,fallback_connections}}: {@code ss -Mni}, {@code ss -tni};</li>
 *   <li>{@code mpsec_sa_{bytes,packets}_total} of every SA (GETAE): {@code ip -s xfrm state}, with exactly
 *       the SAs the kernel has;</li>
 *   <li>{@code mpsec_xfrm_stat_total}, every counter: {@code /proc/net/xfrm_stat}.</li>
 * </ul>
 * The scrape passes {@code promtool check metrics} and carries no byte of the master or SA keys. The
 * meters cache kernel reads for 250 ms, so the scrape starts 300 ms after the first reading.
 *
 * <p>Run it alone: {@code MPSEC_KL_MODULES=mpsec-agent MPSEC_KL_INCLUDE='.*MetricsLaneIT' kernel-lane/run.sh}.
 */
@Tag("kernel-lane")
class MetricsLaneIT {
    /** Shaped paths, so that the stream uses both and the emulated guest keeps some CPU for the tools. */
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 2).mptcpLimits(4, 4).build();
    static final int PORT = 5410;
    /** Bytes sent once both subflows are up. */
    static final int STREAM = 1_000_000;

    @TempDir
    Path dir;
    final long t0 = System.nanoTime();

    SecurePaths paths(XfrmClient x, Testbed.Host h, Testbed.Host peer, SecretBytes master, String ledger) throws Exception {
        return SecurePaths.builder().xfrm(x).local(List.of(h.address(1), h.address(2)))
                .remote(List.of(peer.address(1), peer.address(2))).masterKey(master)
                .generations(KeyGenerations.open(dir.resolve(ledger))).failClosed(true).build();
    }

    @Test
    void everySeriesOfAnMptcpStreamOverEspLiesBetweenTheToolsReadings() throws Exception {
        Path promtool = Privileged.requireTool("promtool", "prometheus");
        Privileged.requireTool("nstat", "iproute2");
        Privileged.requireTool("ss", "iproute2");
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        List<byte[]> secrets = new ArrayList<>(List.of(k.clone()));
        SecretBytes master = SecretBytes.wrap(k);
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "lane-metrics-stream");
            t.setDaemon(true);
            return t;
        });
        try (NetNamespace cns = NetNamespace.open(c.namespace()); NetNamespace sns = NetNamespace.open(s.namespace());
                XfrmClient xc = XfrmClient.open(cns); XfrmClient xs = XfrmClient.open(sns)) {
            SecurePaths cp = paths(xc, c, s, master, "c.key");
            SecurePaths sp = paths(xs, s, c, master, "s.key");
            try {
                phase("namespaces up");
                cp.apply();
                sp.apply();
                phase("secure paths applied");
                for (List<PathSa> g : cp.installedSas().values()) {
                    for (PathSa p : g) {
                        secrets.add(((SaAlgorithm.Aead) p.sa().algorithm()).key().copy());
                    }
                }
                c.execOk("ip", "mptcp", "endpoint", "add", c.address(2).getHostAddress(), "dev", c.iface(2), "subflow");
                ToolReadings c0;
                ToolReadings s0;
                ToolReadings c1;
                ToolReadings s1;
                HttpResponse<String> r;
                long n;
                try (ServeCommand.Agent agent = ServeCommand.Agent.start("127.0.0.1", 0, true,
                        List.of(c.namespace(), s.namespace()));
                        MpsecServerSocket listener = s.call(() -> new MpsecServerSocket(PORT, 5, s.address(1)))) {
                    agent.securePaths(c.namespace(), cp::installedSas, xc::usage, null);
                    agent.securePaths(s.namespace(), sp::installedSas, xs::usage, null);
                    AtomicLong got = new AtomicLong();
                    CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> {
                        try (MpsecSocket a = listener.accept(); InputStream in = a.getInputStream()) {
                            a.setSoTimeout(300_000);
                            byte[] buf = new byte[64 * 1024];
                            for (int len; (len = in.read(buf)) > 0;) {
                                got.addAndGet(len);
                            }
                            return got.get();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }, pool);
                    phase("agent serving, listener up");
                    try (MpsecSocket so = c.call(() -> new MpsecSocket(s.address(1), PORT))) {
                        OutputStream out = so.getOutputStream();
                        out.write(new byte[64 * 1024]);
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                        while (so.subflows().size() < 2) {
                            assertThat(System.nanoTime()).as("a second subflow within 120 s").isLessThan(deadline);
                            Thread.sleep(200);
                        }
                        phase("second subflow up");
                        out.write(new byte[STREAM]);
                        long total = 64 * 1024 + STREAM;
                        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
                        while (got.get() < total) {
                            assertThat(System.nanoTime()).as("%d of %d bytes received within 240 s", got.get(), total)
                                    .isLessThan(deadline);
                            Thread.sleep(100);
                        }
                        phase("stream received; reading the tools, scraping, reading again");
                        // the connection stays open with both subflows while the tools and the agent read

                        c0 = ToolReadings.take(c);
                        s0 = ToolReadings.take(s);
                        Thread.sleep(300); // older than the meters' 250 ms read cache: the scrape reads after c0, s0
                        int port = agent.server().port();
                        r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
                        c1 = ToolReadings.take(c);
                        s1 = ToolReadings.take(s);
                        phase("read and scraped");
                        so.shutdownOutput();
                        assertThat(received.get(120, TimeUnit.SECONDS)).isEqualTo(total);
                        n = total;
                    }

                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
                    String body = r.body();
                    for (byte[] secret : secrets) {
                        for (String enc : ServeIT.encodings(secret)) {
                            assertThat(body.contains(enc)).as("key bytes in /metrics").isFalse();
                        }
                    }
                    promtool(promtool, body);
                    ScrapedSeries m = new ScrapedSeries(body);
                    check(m, c.namespace(), c0, c1);
                    check(m, s.namespace(), s0, s1);

                    // the stream really ran: one MPTCP connection with two subflows, both paths' ESP SAs used
                    assertThat(c0.connections()).as("ss -Mni in c").isEqualTo(1);
                    assertThat(c0.subflows()).as("subflows in ss -tni in c").isEqualTo(2);
                    assertThat(c1.mptcpMib().get("MPJoinSynAckRx")).as("MP_JOIN SYN/ACKs received by c").isPositive();
                    assertThat(outBytes(m, c, s, 1)).as("ESP bytes of c's generation-1 SA path 1 -> s").isGreaterThan(50_000);
                    assertThat(outBytes(m, c, s, 2)).as("ESP bytes of c's generation-1 SA path 2 -> s").isGreaterThan(50_000);
                    System.out.printf("lane evidence: MPTCP %d B over ESP; c %s tx %d..%d B; ESP bytes c->s path 1 %.0f, path 2 %.0f;"
                            + " SA series in c %d; ss: %d connection(s), %d subflows%n", n, c.iface(2),
                            c0.links().get(c.iface(2))[2], c1.links().get(c.iface(2))[2], outBytes(m, c, s, 1), outBytes(m, c, s, 2),
                            m.all("mpsec_sa_bytes_total", "netns", c.namespace()).size(), c0.connections(), c0.subflows());
                }
            } finally {
                pool.shutdownNow();
                cp.close();
                sp.close();
            }
        }
    }

    /** The scraped bytes of c's generation-1 outbound SA from its path-{@code path} address to s's path-1 address. */
    static double outBytes(ScrapedSeries m, Testbed.Host c, Testbed.Host s, int path) {
        return m.value("mpsec_sa_bytes_total", "netns", c.namespace(), "src", c.address(path).getHostAddress(), "dst",
                s.address(1).getHostAddress(), "direction", "out", "generation", "1");
    }

    /** Every series of namespace {@code ns} lies between the readings {@code before} and {@code after}. */
    static void check(ScrapedSeries m, String ns, ToolReadings before, ToolReadings after) {
        assertThat(after.links().keySet()).isEqualTo(before.links().keySet());
        String[] what = {"bytes", "packets", "bytes", "packets"};
        for (Map.Entry<String, long[]> e : before.links().entrySet()) {
            for (int i = 0; i < 4; i++) {
                double v = m.value("mpsec_interface_" + what[i] + "_total", "netns", ns, "interface", e.getKey(),
                        "direction", i < 2 ? "rx" : "tx");
                between(ns + " " + e.getKey() + (i < 2 ? " rx " : " tx ") + what[i], v, e.getValue()[i],
                        after.links().get(e.getKey())[i]);
            }
        }
        assertThat(before.mptcpMib()).as("nstat MPTcpExt in " + ns).isNotEmpty();
        assertThat(m.all("mpsec_mptcp_mib_total", "netns", ns)).extracting(x -> x.labels().get("counter"))
                .as("MPTcpExt counters of " + ns).containsExactlyInAnyOrderElementsOf(before.mptcpMib().keySet());
        before.mptcpMib().forEach((name, v) -> between(ns + " MPTcpExt" + name,
                m.value("mpsec_mptcp_mib_total", "netns", ns, "counter", name), v, after.mptcpMib().get(name)));
        assertThat(before.xfrmStat()).as("/proc/net/xfrm_stat in " + ns).isNotEmpty();
        assertThat(m.all("mpsec_xfrm_stat_total", "netns", ns)).extracting(x -> x.labels().get("counter"))
                .as("xfrm_stat counters of " + ns).containsExactlyInAnyOrderElementsOf(before.xfrmStat().keySet());
        before.xfrmStat().forEach((name, v) -> between(ns + " " + name,
                m.value("mpsec_xfrm_stat_total", "netns", ns, "counter", name), v, after.xfrmStat().get(name)));
        // the SA series: exactly the SAs in ip xfrm state (all of them MPSec's), counters in between
        assertThat(after.sas().keySet()).isEqualTo(before.sas().keySet());
        List<ScrapedSeries.Sample> sa = m.all("mpsec_sa_bytes_total", "netns", ns);
        assertThat(sa).extracting(x -> x.labels().get("src") + " " + x.labels().get("dst") + " " + x.labels().get("spi"))
                .as("SA series of " + ns).containsExactlyInAnyOrderElementsOf(before.sas().keySet());
        for (ScrapedSeries.Sample x : sa) {
            String key = x.labels().get("src") + " " + x.labels().get("dst") + " " + x.labels().get("spi");
            String[] tags = {"netns", ns, "src", x.labels().get("src"), "dst", x.labels().get("dst"), "spi", x.labels().get("spi")};
            between(ns + " SA " + key + " bytes", x.value(), before.sas().get(key)[0], after.sas().get(key)[0]);
            between(ns + " SA " + key + " packets", m.value("mpsec_sa_packets_total", tags), before.sas().get(key)[1],
                    after.sas().get(key)[1]);
        }
        assertThat(m.value("mpsec_sa_installed", "netns", ns)).isEqualTo(before.sas().size());
        between(ns + " connections", m.value("mpsec_mptcp_connections", "netns", ns),
                Math.min(before.connections(), after.connections()), Math.max(before.connections(), after.connections()));
        between(ns + " subflows", m.value("mpsec_mptcp_subflows", "netns", ns),
                Math.min(before.subflows(), after.subflows()), Math.max(before.subflows(), after.subflows()));
        between(ns + " fallbacks", m.value("mpsec_mptcp_fallback_connections", "netns", ns),
                Math.min(before.fallbacks(), after.fallbacks()), Math.max(before.fallbacks(), after.fallbacks()));
    }

    void phase(String what) {
        System.out.printf("lane phase at %.1f s: %s%n", (System.nanoTime() - t0) / 1e9, what);
    }

    static void between(String what, double v, long low, long high) {
        assertThat(v).as(what + " (tools read " + low + " then " + high + ")").isBetween((double) low, (double) high);
    }

    static void promtool(Path promtool, String body) throws Exception {
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream o = p.getOutputStream()) {
            o.write(body.getBytes(StandardCharsets.UTF_8));
        }
        String verdict = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("promtool check metrics: " + verdict).isZero();
    }
}
