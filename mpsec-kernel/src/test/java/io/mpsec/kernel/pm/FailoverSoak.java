package io.mpsec.kernel.pm;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.kernel.pm.strategy.StrategyRunner;
import io.mpsec.testbed.Testbed;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover soak, run by hand (not part of CI; the class name matches no test pattern):
 * <pre>
 * mvn -B -q -o -pl mpsec-kernel -am verify -Dit.test=FailoverSoak -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dmpsec.requireRoot=true -Dmpsec.soak.modes=SWAP,DESTROY_FIRST -Dmpsec.soak.cuts=30
 * </pre>
 * For each {@link FailoverVariant.Mode} it streams pattern_client.py to pattern_server.py (python3,
 * IPPROTO_MPTCP, every byte checked against a deterministic stream) over two HTB paths
 * ({@code mpsec.soak.rate} Mbit/s, default 50), cuts path 1 (link down both ends) {@code mpsec.soak.cuts}
 * times in streams of {@code mpsec.soak.perStream} cuts, and prints per mode the receive gap of every
 * cut (p50, p95, max), every mismatched byte range the server saw, and both hosts' MPTcpExt counter
 * deltas, and how many cuts hit an idle path 1 ({@code idleCuts}). Fails when any byte differs.
 * {@code -Dmpsec.soak.checksum=true} turns on MPTCP's DSS checksum in both namespaces.
 */
class FailoverSoak {
    static final int RATE = Integer.getInteger("mpsec.soak.rate", 50);

    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, RATE).mptcpLimits(8, 8).build();

    @TempDir
    Path stateDir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.MINUTES)
    void soak() throws Exception {
        int cuts = Integer.getInteger("mpsec.soak.cuts", 10);
        int perStream = Integer.getInteger("mpsec.soak.perStream", 10);
        long cutMillis = Long.getLong("mpsec.soak.cutMillis", 800);
        // MPTCP's DSS checksum on both hosts (either asking is enough): data placed at a wrong data sequence
        // number then fails the checksum (MPTcpExtDataCsumErr) instead of reaching the receiver
        if (Boolean.getBoolean("mpsec.soak.checksum")) {
            for (String h : List.of("c", "s")) {
                NET.host(h).sysctl("net.mptcp.checksum_enabled", "1");
            }
        }
        System.out.println("[soak] net.mptcp.checksum_enabled: c=" + NET.host("c").sysctl("net.mptcp.checksum_enabled")
                + " s=" + NET.host("s").sysctl("net.mptcp.checksum_enabled"));
        List<String> summary = new ArrayList<>();
        long totalMismatches = 0;
        int port = 5300;
        for (String m : System.getProperty("mpsec.soak.modes", "SWAP,DESTROY_FIRST").split(",")) {
            FailoverVariant.Mode mode = FailoverVariant.Mode.valueOf(m.trim());
            List<Double> gaps = new ArrayList<>();
            List<String> mismatches = new ArrayList<>();
            long bytes = 0;
            int streams = 0;
            int idleCuts = 0;
            Map<String, Long> c0 = nstat(NET.host("c"));
            Map<String, Long> s0 = nstat(NET.host("s"));
            List<String> errors = new ArrayList<>();
            while (gaps.size() < cuts) {
                int k = Math.min(perStream, cuts - gaps.size());
                Stream st = stream(mode, k, cutMillis, port++);
                gaps.addAll(st.gaps);
                mismatches.addAll(st.mismatches);
                errors.addAll(st.errors);
                bytes += st.bytes;
                idleCuts += st.idleCuts;
                streams++;
                System.out.printf("[soak %s] stream %d: %d bytes, gaps %s, mismatches %s%n", mode, streams, st.bytes, st.gaps, st.mismatches);
            }
            Map<String, Long> cd = delta(c0, nstat(NET.host("c")));
            Map<String, Long> sd = delta(s0, nstat(NET.host("s")));
            List<Double> sorted = new ArrayList<>(gaps);
            sorted.sort(null);
            String line = String.format("[soak %s] rate=%d cuts=%d streams=%d bytes=%d mismatchRanges=%d idleCuts=%d gap p50=%.0f p95=%.0f max=%.0f ms"
                    + " strategyErrors=%s%n  client MPTcpExt deltas %s%n  server MPTcpExt deltas %s%n  mismatches %s",
                    mode, RATE, gaps.size(), streams, bytes, mismatches.size(), idleCuts, rank(sorted, 0.5), rank(sorted, 0.95),
                    sorted.get(sorted.size() - 1), errors, cd, sd, mismatches);
            System.out.println(line);
            summary.add(line);
            totalMismatches += mismatches.size();
        }
        System.out.println("==== soak summary ====");
        summary.forEach(System.out::println);
        assertThat(totalMismatches).as("mismatched byte ranges over all modes").isZero();
    }

    record Stream(long bytes, List<Double> gaps, List<String> mismatches, List<String> errors, int idleCuts) {
    }

    private Stream stream(FailoverVariant.Mode mode, int cuts, long cutMillis, int port) throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        try (NetNamespace ns = NetNamespace.open(c.namespace());
                StrategyRunner runner = StrategyRunner.start(ns, stateDir,
                        new FailoverVariant(mode, c.address(2), s.address(2)))) {
            Proc server = Proc.python(s, "pattern_server.py", Integer.toString(port));
            server.await(l -> l.equals("listening"), 30_000);
            Path stop = stateDir.resolve("stop-" + port);
            Proc client = Proc.python(c, "pattern_client.py", s.address(1).getHostAddress(), Integer.toString(port),
                    "600", stop.toString());
            client.await(l -> l.equals("connected"), 30_000);
            long deadline = System.currentTimeMillis() + 5000;
            while ((runner.connections().isEmpty() || runner.connections().iterator().next().subflows().stream()
                    .noneMatch(x -> x.local().equals(c.address(2)))) && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(1000);
            runner.connections().stream().findFirst().ifPresent(x -> System.out.println("[soak " + mode + "] subflows " + x.subflows()));
            long[] cutAt = new long[cuts];
            int idle = 0;
            for (int i = 0; i < cuts; i++) {
                // was path 1 carrying data right before the cut (a fifth of its rate over 200 ms)?
                long before = NET.path(1).txBytes(c);
                Thread.sleep(200);
                idle += NET.path(1).txBytes(c) - before < RATE * 1_000_000L / 8 / 5 / 5 ? 1 : 0;
                cutAt[i] = System.nanoTime();
                NET.path(1).cut();
                Thread.sleep(cutMillis);
                NET.path(1).restore();
                Thread.sleep(1400);
            }
            Thread.sleep(500);
            java.nio.file.Files.writeString(stop, "stop");
            client.await(l -> l.startsWith("bytes="), 120_000);
            String end = server.await(l -> l.startsWith("bytes=") && l.contains("mismatches="), 30_000);
            List<String> mism = new ArrayList<>();
            List<long[]> gapLines = new ArrayList<>();
            for (String l : server.lines) {
                if (l.startsWith("mismatch ")) {
                    mism.add(l.substring(9));
                } else if (l.startsWith("gap ")) {
                    long endNs = Long.parseLong(Proc.field(l, "end_ns"));
                    double ms = Double.parseDouble(Proc.field(l, "ms"));
                    gapLines.add(new long[] {endNs - (long) (ms * 1e6), endNs});
                }
            }
            List<Double> gaps = new ArrayList<>();
            for (long t : cutAt) {
                double g = 0;
                for (long[] gl : gapLines) {
                    if (gl[1] > t && gl[0] < t + cutMillis * 1_000_000L) {
                        g = Math.max(g, (gl[1] - gl[0]) / 1e6);
                    }
                }
                gaps.add(g);
            }
            assertThat(Long.parseLong(Proc.field(end, "bytes"))).as("bytes received").isEqualTo(
                    Long.parseLong(Proc.field(client.await(l -> l.startsWith("bytes="), 1000), "bytes")));
            return new Stream(Long.parseLong(Proc.field(end, "bytes")), gaps, mism, runner.errors(), idle);
        }
    }

    private static double rank(List<Double> sorted, double q) {
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    /** MPTcpExt and a few TCP counters of the host's namespace ({@code nstat -asz}: absolute, history untouched). */
    static Map<String, Long> nstat(Testbed.Host h) {
        Map<String, Long> out = new TreeMap<>();
        for (String l : h.execOk("nstat", "-asz").stdout().split("\n")) {
            String[] t = l.trim().split("\\s+");
            if (t.length >= 2 && (t[0].startsWith("MPTcpExt") || t[0].equals("TcpRetransSegs") || t[0].equals("TcpExtTCPLostRetransmit"))) {
                out.put(t[0], Long.parseLong(t[1]));
            }
        }
        return out;
    }

    static Map<String, Long> delta(Map<String, Long> a, Map<String, Long> b) {
        Map<String, Long> out = new TreeMap<>();
        b.forEach((k, v) -> {
            long d = v - a.getOrDefault(k, 0L);
            if (d != 0) {
                out.put(k, d);
            }
        });
        return out;
    }
}
