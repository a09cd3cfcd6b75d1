package io.mpsec.bench;

import io.mpsec.MptcpConnectionInfo;
import io.mpsec.SubflowInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Throughput of MPSec over all paths of a {@link PathNet} against each path alone, measured back to
 * back in one round: every path alone (no extra endpoints, the connection to that path's server
 * address), then all paths together (subflow endpoints on paths 2..n). Each transfer runs
 * {@code warmSeconds} before its window of {@code seconds}; throughput is the receiver's bytes in the
 * window. The multipath transfer is checked: every path must carry at least {@code 0.8 / n} of the
 * bytes (40% for two paths), counted by the client's HTB classes, or the round fails.
 */
final class Aggregation {
    private Aggregation() {
    }

    /** One round's figures. */
    record Round(double[] alone, double together, double[] shares, Map<String, Object> detail) {
        /** All paths over path 1 alone. */
        double ratio() {
            return together / alone[0];
        }

        /** All paths over the sum of each path alone. */
        double fractionOfSum() {
            double sum = 0;
            for (double a : alone) {
                sum += a;
            }
            return together / sum;
        }
    }

    static Round round(PathNet net, double warmSeconds, double seconds, boolean checkShares) throws Exception {
        int n = net.paths();
        double[] alone = new double[n];
        net.useExtraPaths(1, false);
        for (int p = 1; p <= n; p++) {
            alone[p - 1] = measure(net, p, warmSeconds, seconds, null);
        }
        net.useExtraPaths(n, false);
        Map<String, Object> detail = new LinkedHashMap<>();
        double together = measure(net, 1, warmSeconds, seconds, detail);
        double[] shares = (double[]) detail.remove("sharesArray");
        detail.put("aloneMbit", alone);
        detail.put("togetherMbit", together);
        if (checkShares) {
            for (int p = 1; p <= n; p++) {
                if (shares[p - 1] < 0.8 / n) {
                    throw new IllegalStateException(String.format(
                            "path %d carried only %.1f%% of the bytes (HTB class 1:10 counters; at least %.0f%% required): "
                                    + "the transfer did not aggregate the %d paths; detail %s",
                            p, 100 * shares[p - 1], 80.0 / n, n, detail));
                }
            }
        }
        return new Round(alone, together, shares, detail);
    }

    /** Throughput (Mbit/s) of one transfer to the server on {@code path}; with {@code detail}, the evidence. */
    static double measure(PathNet net, int path, double warmSeconds, double seconds, Map<String, Object> detail) throws Exception {
        try (Stream s = Stream.start(net, path)) {
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (detail != null && s.clientSocket().connectionInfo().pathsInUse() < net.paths() && System.nanoTime() < deadline) {
                PathNet.sleep(20);
            }
            PathNet.sleep((long) (warmSeconds * 1000));
            long[] htb0 = htb(net);
            Map<String, Long> mib0 = detail == null ? null : Mib.read(net.client());
            long[] cpu0 = cpuTicks();
            long b0 = s.received();
            long t0 = System.nanoTime();
            PathNet.sleep((long) (seconds * 1000));
            long b1 = s.received();
            long t1 = System.nanoTime();
            long[] htb1 = htb(net);
            long[] cpu1 = cpuTicks();
            if (detail != null) {
                detail.put("cpuBusy", cpu1[0] == cpu0[0] ? 0 : 1 - (double) (cpu1[1] - cpu0[1]) / (cpu1[0] - cpu0[0]));
                MptcpConnectionInfo info = s.clientSocket().connectionInfo();
                List<Map<String, Object>> subflows = new ArrayList<>();
                for (SubflowInfo sf : s.clientSocket().subflows()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("local", sf.local().getAddress().getHostAddress());
                    m.put("rttMicros", sf.rttMicros());
                    m.put("cwnd", sf.cwnd());
                    m.put("bytesSent", sf.bytesSent());
                    m.put("backup", sf.backup().orElse(null));
                    subflows.add(m);
                }
                detail.put("pathsInUse", info.pathsInUse());
                detail.put("mptcpRetransmits", info.retransmits().orElse(-1));
                detail.put("mptcpBytesRetrans", info.bytesRetrans().orElse(-1));
                detail.put("subflows", subflows);
                detail.put("mib", Mib.delta(mib0, Mib.read(net.client())));
                long total = 0;
                long[] d = new long[net.paths()];
                for (int p = 0; p < d.length; p++) {
                    d[p] = htb1[p] - htb0[p];
                    total += d[p];
                }
                double[] shares = new double[d.length];
                for (int p = 0; p < d.length; p++) {
                    shares[p] = total == 0 ? 0 : (double) d[p] / total;
                }
                detail.put("htbBytes", d);
                detail.put("sharesArray", shares);
                detail.put("shares", shares);
            }
            s.finish();
            return (b1 - b0) * 8.0 / ((t1 - t0) / 1e9) / 1e6;
        }
    }

    /** All CPUs' ticks since boot: {total, idle + iowait} (/proc/stat). */
    static long[] cpuTicks() throws IOException {
        String[] f = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length; i++) {
            total += Long.parseLong(f[i]);
        }
        return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    }

    private static long[] htb(PathNet net) throws IOException {
        long[] out = new long[net.paths()];
        for (int p = 1; p <= out.length; p++) {
            out[p - 1] = net.htbSentBytes(true, p);
        }
        return out;
    }
}
