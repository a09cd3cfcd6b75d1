package io.mpsec.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One fairness contest on a {@link BottleneckNet}: {@link FairnessFlows} for {@code warmSeconds}, then
 * each side's bytes received by the server over {@code seconds}, the bottleneck's counters over the
 * same window, and every 250 ms what {@code ss -tin} shows of the senders (congestion control, cwnd,
 * ssthresh, RTT; kept once a second, plus the largest subflow cwnd seen), from which {@link #run} checks that every subflow really runs the algorithm asked
 * for (a registration removed meanwhile would leave new subflows on the default).
 */
final class FairnessContest {
    private static final Pattern CWND = Pattern.compile("\\bcwnd:(\\d+)");
    private static final Pattern SSTHRESH = Pattern.compile("\\bssthresh:(\\d+)");
    private static final Pattern RTT = Pattern.compile("\\brtt:([0-9.]+)/");

    private FairnessContest() {
    }

    /** A socket did not run the algorithm asked for: the host-wide registration went away meanwhile. */
    static final class FallbackException extends IOException {
        private static final long serialVersionUID = 1L;

        FallbackException(String message) {
            super(message);
        }
    }

    /** What one contest measured; {@link #record()} is its side-file form. */
    record Result(String mptcpCongestion, String tcpCongestion, long mptcpBytes, long tcpBytes, double seconds,
            BottleneckNet.Counters bottleneck, int subflows, int maxSubflowCwnd, List<Map<String, Object>> samples) {
        double mptcpShare() {
            return (double) mptcpBytes / Math.max(1, mptcpBytes + tcpBytes);
        }

        double mptcpMbit() {
            return mptcpBytes * 8 / seconds / 1e6;
        }

        double tcpMbit() {
            return tcpBytes * 8 / seconds / 1e6;
        }

        Map<String, Object> record() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mptcp", mptcpCongestion);
            m.put("competitor", tcpCongestion);
            m.put("mptcpShare", mptcpShare());
            m.put("mptcpMbit", mptcpMbit());
            m.put("tcpMbit", tcpMbit());
            m.put("seconds", seconds);
            m.put("dropped", bottleneck.dropped());
            m.put("sentPackets", bottleneck.sentPackets());
            m.put("meanPacketBytes", (double) bottleneck.sentBytes() / Math.max(1, bottleneck.sentPackets()));
            m.put("deliveredOfSent", (double) (mptcpBytes + tcpBytes) / Math.max(1, bottleneck.sentBytes()));
            m.put("subflows", subflows);
            m.put("maxSubflowCwnd", maxSubflowCwnd);
            m.put("ss", samples);
            return m;
        }
    }

    static Result run(BottleneckNet net, String mptcpCongestion, String tcpCongestion, double warmSeconds, double seconds)
            throws IOException {
        try (FairnessFlows f = FairnessFlows.start(net, mptcpCongestion, tcpCongestion)) {
            PathNet.sleep((long) (warmSeconds * 1000));
            f.check();
            if (f.mptcpReceived() == 0 || f.tcpReceived() == 0) {
                throw new IOException("nothing received after the warm-up: MPTCP " + f.mptcpReceived() + " bytes, TCP "
                        + f.tcpReceived() + " bytes");
            }
            BottleneckNet.Counters c0 = net.counters();
            long m0 = f.mptcpReceived();
            long t0 = f.tcpReceived();
            long n0 = System.nanoTime();
            long end = n0 + (long) (seconds * 1e9);
            List<Map<String, Object>> samples = new ArrayList<>();
            int subflows = Integer.MAX_VALUE;
            int maxCwnd = 0;
            for (int i = 0; System.nanoTime() < end; i++) {
                PathNet.sleep(Math.min(250, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
                List<Map<String, Object>> mp = ss(net, f.mptcpPort());
                List<Map<String, Object>> tcp = ss(net, f.tcpPort());
                check(mp, mptcpCongestion, "MPTCP subflow");
                check(tcp, tcpCongestion, "single-path flow");
                subflows = Math.min(subflows, mp.size());
                for (Map<String, Object> sf : mp) {
                    maxCwnd = Math.max(maxCwnd, (Integer) sf.get("cwnd"));
                }
                if (i % 4 != 0) {
                    continue;
                }
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("t", Math.round((System.nanoTime() - n0) / 1e8) / 10.0);
                s.put("mptcp", mp);
                s.put("tcp", tcp);
                samples.add(s);
            }
            long m1 = f.mptcpReceived();
            long t1 = f.tcpReceived();
            long n1 = System.nanoTime();
            BottleneckNet.Counters c1 = net.counters();
            f.check();
            return new Result(mptcpCongestion, tcpCongestion, m1 - m0, t1 - t0, (n1 - n0) / 1e9, c1.minus(c0),
                    subflows == Integer.MAX_VALUE ? 0 : subflows, maxCwnd, samples);
        }
    }

    private static void check(List<Map<String, Object>> sockets, String congestion, String what) throws IOException {
        for (Map<String, Object> s : sockets) {
            if (!congestion.equals(s.get("cc"))) {
                throw new FallbackException("a " + what + " runs " + s.get("cc") + ", not " + congestion
                        + " (was the algorithm unregistered meanwhile, by another process?): " + sockets);
            }
        }
    }

    /** The client's established sockets towards the server's {@code port}: cc, cwnd, ssthresh, RTT (ms). */
    static List<Map<String, Object>> ss(BottleneckNet net, int port) throws IOException {
        String out = BenchNet.output("ip", "netns", "exec", net.client(), "ss", "-tin", "state", "established", "dport", "= :" + port);
        List<Map<String, Object>> result = new ArrayList<>();
        String[] lines = out.split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (!lines[i].trim().endsWith(":" + port)) {
                continue;
            }
            String info = lines[i + 1].trim();
            Matcher cw = CWND.matcher(info);
            Matcher rt = RTT.matcher(info);
            if (!cw.find() || !rt.find()) {
                continue;
            }
            Matcher st = SSTHRESH.matcher(info);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cc", info.split("\\s+")[0]);
            m.put("cwnd", Integer.parseInt(cw.group(1)));
            m.put("ssthresh", st.find() ? Integer.parseInt(st.group(1)) : -1);
            m.put("rttMs", Double.parseDouble(rt.group(1)));
            result.add(m);
            i++;
        }
        return result;
    }
}
