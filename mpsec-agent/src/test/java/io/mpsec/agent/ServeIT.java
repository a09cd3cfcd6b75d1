package io.mpsec.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.ipsec.Lifetime;
import io.mpsec.ipsec.SaAlgorithm;
import io.mpsec.ipsec.SecretBytes;
import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.keys.DerivedSa;
import io.mpsec.ipsec.keys.SaKeyDerivation;
import io.mpsec.ipsec.paths.PathSa;
import io.mpsec.ipsec.xfrm.SaUsage;
import io.mpsec.ipsec.paths.RekeyHealth;
import io.mpsec.metrics.RekeyMetrics;
import io.mpsec.metrics.SaMetrics;
import io.mpsec.testbed.Privileged;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code serve} in-process: /metrics over real HTTP passes {@code promtool check metrics}, has the
 * interface, MPTCP MIB, xfrm_stat and per-SA series, refuses foreign Host headers (DNS rebinding),
 * answers 404 elsewhere, and never contains a byte of the master key or of the SA keys derived from it
 * (hex in both cases, base64 at all three alignments).
 */
class ServeIT {
    record Response(int status, String headers, String body) {
    }

    /** A raw HTTP/1.1 request, so that the Host header is exactly what the test says (or absent). */
    static Response get(int port, String path, String host) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
            s.setSoTimeout(5_000);
            String req = "GET " + path + " HTTP/1.1\r\n" + (host == null ? "" : "Host: " + host + "\r\n")
                    + "Connection: close\r\n\r\n";
            OutputStream out = s.getOutputStream();
            out.write(req.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int split = all.indexOf("\r\n\r\n");
            String head = all.substring(0, split);
            return new Response(Integer.parseInt(head.split(" ")[1]), head, all.substring(split + 4));
        }
    }

    static List<String> encodings(byte[] key) {
        List<String> out = new ArrayList<>();
        String hex = HexFormat.of().formatHex(key);
        out.add(hex);
        out.add(hex.toUpperCase());
        for (int skip = 0; skip < 3; skip++) {
            String b64 = Base64.getEncoder().withoutPadding().encodeToString(Arrays.copyOfRange(key, skip, key.length));
            // drop the last, partial 4-character group: its characters depend on what follows
            out.add(b64.substring(0, b64.length() - b64.length() % 4 - 4));
        }
        return out;
    }

    @Test
    void metricsPassPromtoolRefuseForeignHostsAndCarryNoKeyBytes() throws Exception {
        Path promtool = Privileged.requireTool("promtool", "prometheus");
        byte[] master = new byte[32];
        for (int i = 0; i < master.length; i++) {
            master[i] = (byte) (0xa7 ^ (i * 29));
        }
        InetAddress a = InetAddress.getByName("198.18.1.1");
        InetAddress b = InetAddress.getByName("198.18.1.2");
        SaKeyDerivation kd = new SaKeyDerivation(SecretBytes.copyOf(master), 256);
        DerivedSa out = kd.derive(1, a, b, 0);
        DerivedSa in = kd.derive(1, b, a, 0);
        List<byte[]> secrets = List.of(master, out.key().copy(), in.key().copy());
        List<PathSa> sas = new ArrayList<>();
        for (DerivedSa d : List.of(out, in)) {
            SecurityAssociation sa = SecurityAssociation.builder().source(d.source()).destination(d.destination())
                    .spi(d.spi()).reqid(5).lifetime(Lifetime.seconds(3000, 3600))
                    .algorithm(SaAlgorithm.aesGcm(d.key())).build();
            sas.add(new PathSa(1, sa, d == out));
        }
        long now = System.currentTimeMillis() / 1000;
        try (ServeCommand.Agent agent = ServeCommand.Agent.start("127.0.0.1", 0, false, List.of())) {
            // SAs as SecurePaths would report them; GETAE answered by a fake (this host has no ESP)
            new SaMetrics(null, () -> Map.of(1L, sas), id -> Optional.of(new SaUsage(4242, 7, now - 60, now - 59)))
                    .bindTo(agent.registry());
            RekeyHealth health = new RekeyHealth(RekeyHealth.State.RUNNING, 1, List.of(b), Map.of(), null, 0, null, 0,
                    null, 0, 0, null, null, 0, 0, 0, 0, 0);
            new RekeyMetrics(null, () -> health).bindTo(agent.registry());
            int port = agent.server().port();
            Response r = get(port, "/metrics", "127.0.0.1:" + port);
            assertThat(r.status()).as(r.headers()).isEqualTo(200);
            assertThat(r.headers()).containsIgnoringCase("Content-Type: text/plain; version=0.0.4");
            String body = r.body();
            Files.writeString(Path.of("target", "serve-metrics.txt"), body); // test artifact
            assertThat(body).contains("mpsec_interface_bytes_total{direction=\"rx\",interface=\"lo\",netns=\"host\"}",
                    "mpsec_interface_throughput_bytes_per_second{", "mpsec_xfrm_stat_total{counter=\"XfrmOutPolBlock\"",
                    "mpsec_sa_bytes_total{", "spi=\"" + String.format("0x%08x", out.spi()) + "\"", "4242.0",
                    "mpsec_sa_lifetime_remaining_seconds{", "mpsec_rekey_state{netns=\"host\",state=\"RUNNING\"} 1.0");
            if (Files.exists(Path.of("/proc/sys/net/mptcp/enabled"))) {
                assertThat(body).contains("mpsec_mptcp_mib_total{counter=\"MPCapableSYNRX\",netns=\"host\"}");
            }
            // promtool, an independent parser and linter of the exposition format
            Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
            try (OutputStream o = p.getOutputStream()) {
                o.write(body.getBytes(StandardCharsets.UTF_8));
            }
            String verdict = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("promtool check metrics: " + verdict).isZero();
            // no key bytes, in any encoding
            for (byte[] k : secrets) {
                for (String enc : encodings(k)) {
                    assertThat(body).doesNotContain(enc);
                }
            }
            // loopback names with the right port pass; everything else is refused
            assertThat(get(port, "/metrics", "localhost:" + port).status()).isEqualTo(200);
            assertThat(get(port, "/metrics", "[::1]:" + port).status()).isEqualTo(200);
            Response evil = get(port, "/metrics", "rebind.evil.example:" + port);
            assertThat(evil.status()).isEqualTo(403);
            assertThat(evil.body()).contains("DNS rebinding").doesNotContain("mpsec_");
            assertThat(get(port, "/metrics", "localhost:" + (port == 65535 ? 1 : port + 1)).status()).isEqualTo(403);
            assertThat(get(port, "/metrics", null).status()).isEqualTo(403);
            assertThat(get(port, "/", "localhost:" + port).status()).isEqualTo(200); // the dashboard
            assertThat(get(port, "/nothing-here", "localhost:" + port).status()).isEqualTo(404);
            assertThat(get(port, "/api/v1/interfaces", "rebind.evil.example:" + port).status()).isEqualTo(403);
            assertThat(get(port, "/metricsx", "localhost:" + port).status()).isEqualTo(404);
        }
        for (byte[] k : secrets) {
            Arrays.fill(k, (byte) 0);
        }
    }
}
