package io.mpsec.bench;

import io.mpsec.ipsec.paths.PathSa;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Throughput over ESP against cleartext on the same {@link PathNet} (two paths, unshaped in effect),
 * and the cost of a rekey under load. Per round, back to back: TCP in clear and over ESP
 * ({@code net.mptcp.enabled=0} in both namespaces, so {@code MpsecSocket} falls back to TCP on path
 * 1), then MPTCP over both paths over ESP and in clear. ESP comes from {@link EspPaths} (MPSec's
 * {@code SecurePaths}); each ESP transfer must have put at least its received bytes through the
 * client's outbound SAs (kernel counters), or the round fails. Every transfer is a {@link Stream}
 * (CRC-checked at its end), {@code warmSeconds} before a window of {@code seconds}.
 *
 * <p>Rekey: an MPTCP stream over ESP runs a window of {@code seconds} untouched (the baseline's
 * longest receiver pause), then both hosts switch their outbound SAs to the next generation
 * ({@code rekeyOutbound}, client first) and the stream runs another window; the figure is the
 * longest pause in that window (each pause counted in the window it ended in), which must also have
 * carried bytes on the new generation.
 */
final class EspThroughput {
    private EspThroughput() {
    }

    /** Runs {@code rounds} rounds and the rekey; returns medians, rounds and the rekey record. */
    static Map<String, Object> run(PathNet net, int rounds, double warmSeconds, double seconds) throws Exception {
        List<Double> tcpRatio = new ArrayList<>();
        List<Double> mptcpRatio = new ArrayList<>();
        List<Map<String, Object>> recs = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            Map<String, Object> rec = new LinkedHashMap<>();
            net.useExtraPaths(1, false);
            mptcp(net, false);
            double tcpClear = measure(net, null, warmSeconds, seconds, rec, "tcpClear");
            double tcpEsp;
            try (EspPaths esp = EspPaths.apply(net)) {
                tcpEsp = measure(net, esp, warmSeconds, seconds, rec, "tcpEsp");
                mptcp(net, true);
                net.useExtraPaths(net.paths(), false);
                rec.put("mptcpEsp", measure(net, esp, warmSeconds, seconds, rec, "mptcpEsp"));
            }
            double mptcpEsp = (Double) rec.get("mptcpEsp");
            double mptcpClear = measure(net, null, warmSeconds, seconds, rec, "mptcpClear");
            rec.put("round", r);
            rec.put("tcpClear", tcpClear);
            rec.put("tcpEsp", tcpEsp);
            rec.put("mptcpClear", mptcpClear);
            rec.put("tcpRatio", tcpEsp / tcpClear);
            rec.put("mptcpRatio", mptcpEsp / mptcpClear);
            tcpRatio.add(tcpEsp / tcpClear);
            mptcpRatio.add(mptcpEsp / mptcpClear);
            recs.add(rec);
            System.out.println("[lane] ESP round " + r + ": " + rec);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rounds", rounds);
        out.put("seconds", seconds);
        out.put("tcpRatio", EfficiencyMain.median(tcpRatio));
        out.put("mptcpRatio", EfficiencyMain.median(mptcpRatio));
        out.put("tcpClearMbit", EfficiencyMain.median(recs.stream().map(x -> (Double) x.get("tcpClear")).toList()));
        out.put("tcpEspMbit", EfficiencyMain.median(recs.stream().map(x -> (Double) x.get("tcpEsp")).toList()));
        out.put("mptcpClearMbit", EfficiencyMain.median(recs.stream().map(x -> (Double) x.get("mptcpClear")).toList()));
        out.put("mptcpEspMbit", EfficiencyMain.median(recs.stream().map(x -> (Double) x.get("mptcpEsp")).toList()));
        out.put("perRound", recs);
        out.put("rekey", rekey(net, warmSeconds, seconds));
        return out;
    }

    /** Throughput (Mbit/s) of one stream from the client to path 1's server address; ESP-checked when {@code esp} is set. */
    private static double measure(PathNet net, EspPaths esp, double warmSeconds, double seconds, Map<String, Object> rec, String name)
            throws Exception {
        try (Stream s = Stream.start(net, 1)) {
            PathNet.sleep((long) (warmSeconds * 1000));
            long e0 = esp == null ? 0 : esp.clientOutboundBytes();
            long b0 = s.received();
            long t0 = System.nanoTime();
            PathNet.sleep((long) (seconds * 1000));
            long b1 = s.received();
            long t1 = System.nanoTime();
            long e1 = esp == null ? 0 : esp.clientOutboundBytes();
            if (name.startsWith("mptcp")) {
                rec.put(name + "PathsInUse", s.clientSocket().connectionInfo().pathsInUse());
            }
            s.finish();
            if (esp != null) {
                rec.put(name + "SaBytes", e1 - e0);
                // the SA counters count whole IP packets, so they exceed the payload; 10% slack for what was in flight
                if (e1 - e0 < 0.9 * (b1 - b0)) {
                    throw new IllegalStateException(String.format("%s: the client's outbound SAs counted %d bytes in the window, "
                            + "fewer than 90%% of the %d bytes received: the data did not all go through ESP", name, e1 - e0, b1 - b0));
                }
            }
            return (b1 - b0) * 8.0 / ((t1 - t0) / 1e9) / 1e6;
        }
    }

    /** The rekey under load: longest pause in a window without, then with, a rekey of both hosts. */
    private static Map<String, Object> rekey(PathNet net, double warmSeconds, double seconds) throws Exception {
        Map<String, Object> rec = new LinkedHashMap<>();
        mptcp(net, true);
        net.useExtraPaths(net.paths(), false);
        try (EspPaths esp = EspPaths.apply(net); Stream s = Stream.start(net, 1)) {
            PathNet.sleep((long) (warmSeconds * 1000));
            long t0 = System.nanoTime();
            PathNet.sleep((long) (seconds * 1000));
            long t1 = System.nanoTime();
            long from = esp.client.activeGeneration();
            long c = esp.client.rekeyOutbound();
            long tc = System.nanoTime();
            long sv = esp.server.rekeyOutbound();
            long t2 = System.nanoTime();
            PathNet.sleep((long) (seconds * 1000));
            long t3 = System.nanoTime();
            long newGenBytes = 0;
            for (PathSa sa : esp.client.installedSas().getOrDefault(c, List.of())) {
                if (sa.outbound()) {
                    newGenBytes += esp.clientXfrm.counters(sa.id()).bytes();
                }
            }
            rec.put("fromGeneration", from);
            rec.put("clientGeneration", c);
            rec.put("serverGeneration", sv);
            rec.put("baselineLongestGapMillis", s.longestGapEndingMillis(t0, t1));
            rec.put("rekeyLongestGapMillis", s.longestGapEndingMillis(t1, t3));
            rec.put("clientRekeyCallMillis", (tc - t1) / 1e6);
            rec.put("bothRekeyCallsMillis", (t2 - t1) / 1e6);
            rec.put("newGenerationOutBytes", newGenBytes);
            rec.put("pathsInUse", s.clientSocket().connectionInfo().pathsInUse());
            rec.put("streamBytes", s.finish());
            if (newGenBytes <= 0) {
                throw new IllegalStateException("no bytes went through the client's generation-" + c + " SAs after the rekey");
            }
        }
        System.out.println("[lane] rekey under load: " + rec);
        return rec;
    }

    /** {@code net.mptcp.enabled} in both namespaces. */
    static void mptcp(PathNet net, boolean on) throws IOException {
        for (String ns : List.of(net.client(), net.server())) {
            BenchNet.run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.mptcp.enabled=" + (on ? 1 : 0));
        }
    }
}
