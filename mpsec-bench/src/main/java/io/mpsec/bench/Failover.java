package io.mpsec.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts path 1 of a two-path {@link PathNet} again and again during {@link Stream}s and measures, per
 * cut, the longest pause of the receiver that overlaps the cut. Before every cut it waits until path 1
 * carries data again (its HTB counter grows by at least a fifth of the path's rate over 100 ms), so
 * each cut hits a path that is in use; a cut where that did not happen within 5 s is recorded as
 * {@code path1Idle}. Every stream ends with its CRC check ({@link Stream#finish()}).
 *
 * <p>With {@code -Dmpsec.bench.trace=true} (JMH: {@code -jvmArgsAppend -Dmpsec.bench.trace=true}) it
 * prints both hosts' {@code ip mptcp monitor} events and the client's subflows (backup flag, state,
 * RTT, cwnd, bytes) around every cut: how the backup strategy's failover was diagnosed.
 */
public final class Failover {
    /** How path 1 is cut. */
    public enum Cut { LINK_DOWN, BLACKHOLE }

    private final PathNet net;
    private final Cut cut;
    private final long cutMillis;
    private final int rtoMinMillis;
    private int streams;
    /** With link-down cuts: how long (ms) the server sends no ARP on path 1 after each restore (0: not at all). */
    private long arpDropMillis;

    Failover(PathNet net, Cut cut, long cutMillis, int rtoMinMillis) throws IOException {
        this.net = net;
        this.cut = cut;
        this.cutMillis = cutMillis;
        this.rtoMinMillis = rtoMinMillis;
        applyRtoMin();
    }

    /**
     * One cut's result. {@code initialSentDuringCut}: bytes the connection's initial subflow sent (its
     * {@code tcpi_bytes_sent}, retransmissions included) from the cut to the restore, -1 when unknown;
     * {@code mib}: the client namespace's MPTCP and TCP retransmission counters that changed from
     * before the cut until one second after the restore; {@code serverMib}: the same for the server
     * namespace (the receiver: MPTcpExtDuplicateData, MPJoinSynRx, ...); {@code restoreGapMillis}: the
     * longest receive gap that ended in the second after the restore.
     */
    record CutResult(double gapMillis, double restoreGapMillis, boolean path1Idle, long[] series, long seriesStartOffsetMillis, long initialSentDuringCut,
            Map<String, Long> mib, Map<String, Long> serverMib) {
    }

    /** Runs one stream with {@code cuts} cuts; returns their results after the stream's check passed. */
    List<CutResult> stream(int cuts, boolean withSeries) throws Exception {
        int streamNo = ++streams;
        List<CutResult> out = new ArrayList<>();
        List<Process> monitors = new ArrayList<>();
        if (Boolean.getBoolean("mpsec.bench.trace")) {
            for (String ns : List.of(net.client(), net.server())) {
                Process p = new ProcessBuilder("ip", "netns", "exec", ns, "ip", "mptcp", "monitor").redirectErrorStream(true).start();
                monitors.add(p);
                String tag = ns.endsWith("-c") ? "client" : "server";
                Thread t = new Thread(() -> {
                    try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
                        String l;
                        while ((l = r.readLine()) != null) {
                            System.out.println(System.currentTimeMillis() % 100_000 + " " + tag + " " + l);
                        }
                    } catch (IOException ignored) {
                        // monitor ended
                    }
                });
                t.setDaemon(true);
                t.start();
            }
            // the handshakes on path 1 and ARP, seen by both ends (SYN, SYN-ACK, RST, FIN): did a join get through?
            for (String[] end : new String[][] {{net.client(), "c1"}, {net.server(), "s1"}}) {
                Process p = new ProcessBuilder("ip", "netns", "exec", end[0], "tcpdump", "-l", "-nn", "-tt", "-i", end[1],
                        "arp or tcp[tcpflags] & (tcp-syn|tcp-rst|tcp-fin) != 0").redirectErrorStream(true).start();
                monitors.add(p);
                Thread t = new Thread(() -> {
                    try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
                        String l;
                        while ((l = r.readLine()) != null) {
                            String[] f = l.split(" ", 2);
                            try {
                                long ms = (long) (Double.parseDouble(f[0]) * 1000) % 100_000;
                                System.out.println(ms + " tcpdump " + end[1] + " " + f[1]);
                            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                                System.out.println("tcpdump " + end[1] + " " + l);
                            }
                        }
                    } catch (IOException ignored) {
                        // tcpdump ended
                    }
                });
                t.setDaemon(true);
                t.start();
            }
            PathNet.sleep(200);
        }
        try (Stream s = Stream.start(net, 1)) {
            s.awaitSubflows(2, 3000);
            PathNet.sleep(500);
            for (int i = 0; i < cuts; i++) {
                boolean busy = waitForPath1();
                Map<String, Long> mibBefore = Mib.read(net.client());
                Map<String, Long> serverMibBefore = Mib.read(net.server());
                PathNet.sleep(200);
                long t = System.nanoTime();
                long restoredAt = 0;
                List<Process> captures = capture(streamNo, i);
                trace(s, "before cut " + i);
                long initialBefore = initialSent(s);
                cut();
                trace(s, "cut");
                PathNet.sleep(50);
                trace(s, "cut+50");
                traceSockets("cut+50");
                PathNet.sleep(250);
                trace(s, "cut+300");
                for (Process p : captures) {
                    p.destroy();
                }
                PathNet.sleep(cutMillis - 300);
                long initialAfter = initialSent(s);
                restore();
                restoredAt = System.nanoTime();
                trace(s, "restore");
                PathNet.sleep(100);
                trace(s, "restore+100");
                PathNet.sleep(900);
                trace(s, "restore+1000");
                double gap = s.longestGapMillis(t, t + cutMillis * 1_000_000L);
                long[] series = withSeries && i == 0 ? s.series(t - 500_000_000L, t + (cutMillis + 1000) * 1_000_000L) : null;
                long initial = initialBefore < 0 || initialAfter < 0 ? -1 : initialAfter - initialBefore;
                double restoreGap = s.longestGapEndingMillis(restoredAt, restoredAt + 1_000_000_000L);
                out.add(new CutResult(gap, restoreGap, !busy, series, -500, initial, Mib.delta(mibBefore, Mib.read(net.client())),
                        Mib.delta(serverMibBefore, Mib.read(net.server()))));
            }
            s.finish();
        } finally {
            monitors.forEach(Process::destroy);
        }
        return out;
    }

    /**
     * With {@code -Dmpsec.bench.capture=DIR}: tcpdump (headers only) on both server devices from just
     * before a cut until 300 ms after it, into {@code DIR/s<stream>-c<cut>-s<path>.pcap}.
     */
    private List<Process> capture(int stream, int cut) throws IOException {
        String dir = System.getProperty("mpsec.bench.capture");
        List<Process> out = new ArrayList<>();
        if (dir == null) {
            return out;
        }
        java.nio.file.Files.createDirectories(java.nio.file.Path.of(dir));
        for (String dev : List.of("s1", "s2")) {
            String file = dir + "/s" + stream + "-c" + cut + "-" + dev + ".pcap";
            out.add(new ProcessBuilder("ip", "netns", "exec", net.server(), "tcpdump", "-U", "--immediate-mode", "-nn", "-s", "160", "-i", dev, "-w", file, "tcp")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        }
        PathNet.sleep(400); // tcpdump starts slowly on a loaded machine
        return out;
    }

    /** In trace mode: both hosts' TCP and MPTCP sockets ({@code ss -tinmM}: windows, buffers, msk state). */
    private void traceSockets(String what) {
        if (!Boolean.getBoolean("mpsec.bench.trace")) {
            return;
        }
        for (String ns : List.of(net.client(), net.server())) {
            try {
                String out = BenchNet.output("ip", "netns", "exec", ns, "ss", "-tinmM", "state", "established");
                System.out.println(System.currentTimeMillis() % 100_000 + " ss " + (ns.endsWith("-c") ? "client" : "server") + " " + what + "\n" + out);
            } catch (IOException e) {
                System.out.println("ss: " + e.getMessage());
            }
        }
    }

    private static void trace(Stream s, String what) {
        if (Boolean.getBoolean("mpsec.bench.trace")) {
            try {
                StringBuilder b = new StringBuilder(String.format("%d %-14s rx=%d", System.currentTimeMillis() % 100_000, what, s.received()));
                for (io.mpsec.SubflowInfo sf : s.clientSocket().subflows()) {
                    b.append(String.format(" | %s:%d bk=%s st=%s rtt=%d cwnd=%d sent=%d", sf.local().getAddress().getHostAddress(), sf.local().getPort(),
                            sf.backup().orElse(null), sf.tcpState(), sf.rttMicros() / 1000, sf.cwnd(), sf.bytesSent()));
                }
                System.out.println(b);
            } catch (IOException e) {
                System.out.println("trace: " + e);
            }
        }
    }

    /** Bytes sent so far by the connection's initial subflow (the one on the socket's own port), -1 when not found. */
    private static long initialSent(Stream s) throws IOException {
        int port = s.clientSocket().getLocalPort();
        for (io.mpsec.SubflowInfo sf : s.clientSocket().subflows()) {
            if (sf.local().getPort() == port) {
                return sf.bytesSent();
            }
        }
        return -1;
    }

    private boolean waitForPath1() throws IOException {
        long need = net.rateMbit(1) * 1_000_000L / 8 / 10 / 5;
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            long a = net.htbSentBytes(true, 1);
            PathNet.sleep(100);
            if (net.htbSentBytes(true, 1) - a >= need) {
                return true;
            }
        }
        return false;
    }

    private void cut() throws IOException {
        if (cut == Cut.LINK_DOWN) {
            net.linkDown(1);
        } else {
            net.blackhole(1);
        }
    }

    /**
     * Makes every link-down restore look like the slow ones seen by themselves: the server sends no ARP
     * on path 1 for {@code millis} ms after the restore, so the client's first ARP request for the
     * server goes unanswered and nothing it sends on path 1 (the SYN of a new subflow, data of the
     * initial subflow) leaves until the neighbour is solicited again (1 s later, the kernel's default
     * retrans_time). For the before/after comparison of the
     * {@link io.mpsec.kernel.pm.strategy.Backup} strategy's link-up handling.
     */
    void dropArpAfterRestore(long millis) {
        this.arpDropMillis = millis;
    }

    /**
     * Drops the ARP packets the server sends on {@code path} for {@code millis} ms: an nft table in the
     * server namespace (gone with the namespace), deleted by a background thread.
     */
    private void dropArp(int path, long millis) throws IOException {
        String table = "mpsec_bench_arp" + path;
        String rules = "table arp " + table + " {\n"
                + " chain out { type filter hook output priority 0; oifname \"s" + path + "\" drop; }\n}\n";
        BenchNet.runWithInput(rules, "ip", "netns", "exec", net.server(), "nft", "-f", "-");
        Thread t = new Thread(() -> {
            PathNet.sleep(millis);
            try {
                BenchNet.run("ip", "netns", "exec", net.server(), "nft", "delete", "table", "arp", table);
            } catch (IOException e) {
                System.err.println("could not remove " + table + ": " + e.getMessage());
            }
        }, "mpsec-bench-arp-drop");
        t.setDaemon(true);
        t.start();
    }

    private void restore() throws IOException {
        if (cut == Cut.LINK_DOWN) {
            if (arpDropMillis > 0) {
                dropArp(1, arpDropMillis);
            }
            net.linkUp(1);
            applyRtoMin(); // link up re-adds the prefix route without the option
        } else {
            net.unblackhole(1);
        }
    }

    /** With rtoMinMillis > 0: {@code rto_min} on path 1's prefix route on both hosts. */
    private void applyRtoMin() throws IOException {
        if (rtoMinMillis > 0) {
            net.setRtoMin(1, rtoMinMillis);
        }
    }

    /** p50, p95 and max of {@code gaps} (nearest rank). */
    static Map<String, Double> percentiles(List<Double> gaps) {
        List<Double> sorted = new ArrayList<>(gaps);
        sorted.sort(null);
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("p50", rank(sorted, 0.50));
        out.put("p95", rank(sorted, 0.95));
        out.put("max", sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1));
        return out;
    }

    private static double rank(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
