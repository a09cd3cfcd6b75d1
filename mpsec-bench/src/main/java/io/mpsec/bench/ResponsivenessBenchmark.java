package io.mpsec.bench;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import io.mpsec.MpsecSocketOptions;
import io.mpsec.kernel.bpf.CoupledCongestionControl;
import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.pm.CongestionControl;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Responsiveness of the coupled congestion controls (issue 11): a two-subflow MPSec bulk transfer
 * over two disjoint 100 Mbit/s paths with their bottlenecks on a router ({@link RoutedNet}), each
 * path with {@code delayMs} of delay before its bottleneck ({@link DelayLine}: this kernel has no
 * netem); after {@code warmSeconds} link B (path 2) is cut to 25 Mbit/s. Per run:
 * <ul>
 * <li>the <b>shift time</b>, from {@code ss -tin} on the sender (every 250 ms or slower): from the cut
 * to the first sample from which the median of three consecutive {@code cwnd * mss / srtt} of path 2
 * is at most 1.25 x 25 Mbit/s. With a greedy sender r's HTB enforces this for any algorithm;</li>
 * <li>the <b>settle time</b>, from r's own counters of link B's queue (every 250 ms): from the cut to
 * the last sample in which link B dropped packets, if no drop follows for {@value #QUIET_SECONDS} s to the
 * end of the window. It is how long the congestion control goes on pushing more into the cut path
 * than it carries: Reno's window regrows into the queue's limit every few seconds, a coupled
 * algorithm's increase on the worse path is a small fraction of that;</li>
 * <li>path 2's share of the windows and its smoothed RTT after the cut (how much of the connection
 * waits in the cut link's queue), link B's rate after the cut and the drops.</li>
 * </ul>
 * The side file {@code ResponsivenessBenchmark.jsonl} holds each run with its series.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1, time = 1, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class ResponsivenessBenchmark {
    static final int BEFORE_MBIT = 100;
    static final int AFTER_MBIT = 25;
    static final double TOLERANCE = 1.25;
    /** The shift time reported when path 2 did not come down within the window. */
    static final double NOT_SHIFTED = 99;
    /**
     * How long link B must stay free of drops, to the end of the window, for path 2 to count as settled:
     * longer than Reno's sawtooth period on the cut path here (about 3 s: from half of 42 + 100 packets
     * back to 142 at one packet per round trip of 40-65 ms).
     */
    static final double QUIET_SECONDS = 4;
    private static final Pattern LOCAL = Pattern.compile("^198\\.18\\.(\\d+)\\.\\d+");
    private static final Pattern CWND = Pattern.compile("\\bcwnd:(\\d+)");
    private static final Pattern MSS = Pattern.compile("\\bmss:(\\d+)");
    private static final Pattern RTT = Pattern.compile("\\brtt:([0-9.]+)/");

    /** The testbed, the algorithm and the run parameters. */
    @State(Scope.Benchmark)
    public static class Env {
        /** TCP_CONGESTION of the MPTCP socket: MPSec's BPF algorithms or the uncoupled baseline. */
        @Param({"mpsec_olia", "mpsec_balia", "mpsec_lia", "reno"})
        public String algorithm;

        @Param({"3"})
        public int runs;

        /** Seconds at 100 + 100 Mbit/s before the cut. */
        @Param({"3"})
        public double warmSeconds;

        /** Seconds after the cut. */
        @Param({"9"})
        public double afterSeconds;

        /** One-way delay of each path in ms ({@link DelayLine}; no netem here), so windows have a bandwidth-delay product; 0: none. */
        @Param({"20"})
        public int delayMs;

        RoutedNet net;
        CoupledCongestionControl cc;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            if (algorithm.startsWith("mpsec_")) {
                cc = CoupledCongestionControl.load(new CongestionControl(algorithm.substring("mpsec_".length())));
            }
            net = RoutedNet.create(BEFORE_MBIT, delayMs);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            net.close();
            // how well the delay lines kept time over the trial (a record without "run": not a run)
            for (Map.Entry<String, DelayLine.Counts> e : net.delayCounts().entrySet()) {
                Map<String, Object> rec = new LinkedHashMap<>();
                rec.put("delayLine", e.getKey());
                rec.put("algorithm", algorithm);
                rec.put("delayMs", delayMs);
                rec.put("packets", e.getValue().packets());
                rec.put("dropped", e.getValue().dropped());
                rec.put("late1ms", e.getValue().late1ms());
                rec.put("lateMaxMicros", e.getValue().lateMaxMicros());
                SideFile.append("ResponsivenessBenchmark", rec);
            }
            if (cc != null) {
                cc.close();
            }
        }
    }

    /** Medians of the runs, reported by JMH as secondary metrics. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Result {
        public double shiftSeconds;
        public double settleSeconds;
        public double lastDropSeconds;
        public double windowShare2;
        public double windowShare2After;
        public double srtt2MsAfter;
        public double linkBMbitAfter;
        public double dropsBAfter;
        public double dropsTotal;
    }

    @Benchmark
    public void cut(Env env, Result result) throws Exception {
        List<Double> shift = new ArrayList<>();
        List<Double> settle = new ArrayList<>();
        List<Double> lastDrop = new ArrayList<>();
        List<Double> shareAfter = new ArrayList<>();
        List<Double> srtt2 = new ArrayList<>();
        List<Double> share = new ArrayList<>();
        List<Double> linkB = new ArrayList<>();
        List<Double> dropsB = new ArrayList<>();
        List<Double> drops = new ArrayList<>();
        for (int i = 0; i < env.runs; i++) {
            Map<String, Object> rec = once(env, i);
            shift.add(rec.get("shiftSeconds") == null ? Double.POSITIVE_INFINITY : (Double) rec.get("shiftSeconds"));
            settle.add(rec.get("settleSeconds") == null ? Double.POSITIVE_INFINITY : (Double) rec.get("settleSeconds"));
            lastDrop.add((Double) rec.get("lastDropSeconds"));
            shareAfter.add((Double) rec.get("windowShare2After"));
            srtt2.add((Double) rec.get("srtt2MsAfter"));
            share.add((Double) rec.get("windowShare2"));
            linkB.add((Double) rec.get("linkBMbitAfter"));
            dropsB.add(((Long) rec.get("dropsBAfter")).doubleValue());
            drops.add(((Long) rec.get("dropsBBefore")).doubleValue() + (Long) rec.get("dropsBAfter") + (Long) rec.get("dropsA"));
            SideFile.append("ResponsivenessBenchmark", rec);
            Map<String, Object> brief = new LinkedHashMap<>(rec);
            brief.remove("series");
            brief.remove("dropSeries");
            System.out.println("run " + i + ": " + brief);
        }
        result.shiftSeconds = Math.min(NOT_SHIFTED, EfficiencyMain.median(shift));
        result.settleSeconds = Math.min(NOT_SHIFTED, EfficiencyMain.median(settle));
        result.lastDropSeconds = EfficiencyMain.median(lastDrop);
        result.windowShare2After = EfficiencyMain.median(shareAfter);
        result.srtt2MsAfter = EfficiencyMain.median(srtt2);
        result.windowShare2 = EfficiencyMain.median(share);
        result.linkBMbitAfter = EfficiencyMain.median(linkB);
        result.dropsBAfter = EfficiencyMain.median(dropsB);
        result.dropsTotal = EfficiencyMain.median(drops);
    }

    private static Map<String, Object> once(Env env, int run) throws Exception {
        RoutedNet net = env.net;
        net.setRate('B', BEFORE_MBIT);
        long[] b0 = net.counters('B');
        long[] a0 = net.counters('A');
        InetAddress server = InetAddress.getByName(RoutedNet.serverAddress());
        MpsecServerSocket listener;
        try (NetNamespace s = NetNamespace.open(net.server())) {
            listener = s.call(() -> new MpsecServerSocket(0, 4, server));
        }
        List<double[]> series = new ArrayList<>();
        List<long[]> drops = new ArrayList<>();
        try (listener; NetNamespace c = NetNamespace.open(net.client());
                MpsecSocket socket = c.call(() -> {
                    MpsecSocket m = new MpsecSocket();
                    m.setOption(MpsecSocketOptions.TCP_CONGESTION, env.algorithm);
                    m.connect(new InetSocketAddress(server, listener.getLocalPort()), 5_000);
                    return m;
                })) {
            CompletableFuture<Void> receiver = CompletableFuture.runAsync(() -> drain(listener));
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> fill(socket));
            Process ss = new ProcessBuilder(BenchNet.in(net.client(), "sh", "-c", "while :; do echo \"@T $(date +%s%N)\"; "
                    + "ss -tinH state established dport = :" + listener.getLocalPort() + "; sleep 0.25; done")).redirectErrorStream(true).start();
            Thread reader = new Thread(() -> read(ss, series), "ss-sampler");
            reader.setDaemon(true);
            reader.start();
            Process tc = new ProcessBuilder(BenchNet.in(net.router(), "sh", "-c", "while :; do echo \"@T $(date +%s%N)\"; "
                    + "tc -s qdisc show dev " + RoutedNet.dev('B') + " parent 1:10; sleep 0.25; done")).redirectErrorStream(true).start();
            Thread dropReader = new Thread(() -> readDrops(tc, drops), "tc-sampler");
            dropReader.setDaemon(true);
            dropReader.start();
            PathNet.sleep((long) (env.warmSeconds * 1000));
            long[] b1 = net.counters('B');
            long cutNanos = wallNanos();
            net.setRate('B', AFTER_MBIT);
            PathNet.sleep(1000);
            long[] b2 = net.counters('B');
            long t2 = System.nanoTime();
            PathNet.sleep((long) (env.afterSeconds * 1000) - 1000);
            long[] b3 = net.counters('B');
            double linkB = (b3[0] - b2[0]) * 8.0 / ((System.nanoTime() - t2) / 1e9) / 1e6;
            long[] a3 = net.counters('A');
            for (Process p : List.of(ss, tc)) {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
            }
            reader.join(5_000);
            dropReader.join(5_000);
            socket.close();
            sender.exceptionally(e -> null).get(30, TimeUnit.SECONDS);
            receiver.exceptionally(e -> null).get(30, TimeUnit.SECONDS);
            List<double[]> rel;
            synchronized (series) {
                rel = series.stream().map(v -> {
                    double[] w = v.clone();
                    w[0] = (v[0] - cutNanos) / 1e9;
                    return w;
                }).toList();
            }
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("algorithm", env.algorithm);
            rec.put("run", run);
            double shift = shiftSeconds(rel);
            rec.put("shiftSeconds", Double.isInfinite(shift) ? null : shift);
            List<double[]> dropsRel;
            synchronized (drops) {
                dropsRel = drops.stream().map(v -> new double[] {(v[0] - cutNanos) / 1e9, v[1]}).toList();
            }
            double settle = settleSeconds(dropsRel, env.afterSeconds);
            rec.put("lastDropSeconds", lastDropSeconds(dropsRel));
            rec.put("settleSeconds", Double.isInfinite(settle) ? null : settle);
            rec.put("windowShare2", windowShare2(rel, env.afterSeconds - 3));
            rec.put("windowShare2After", windowShare2(rel, 0));
            rec.put("srtt2MsAfter", rel.stream().filter(v -> v[0] > 0).mapToDouble(v -> v[4]).average().orElse(Double.NaN));
            rec.put("srttMsMin", rel.stream().mapToDouble(v -> Math.min(v[2], v[4])).min().orElse(Double.NaN));
            rec.put("delayMs", env.delayMs);
            rec.put("linkBMbitAfter", linkB);
            rec.put("dropsBBefore", b1[2] - b0[2]);
            rec.put("dropsBAfter", b3[2] - b1[2]);
            rec.put("dropsA", a3[2] - a0[2]);
            rec.put("samplesAfter", rel.stream().filter(v -> v[0] > 0).count());
            rec.put("seriesColumns", "t from the cut (s), cwnd1, srtt1 ms, cwnd2, srtt2 ms, cwnd2*mss/srtt2 Mbit/s");
            rec.put("series", rel.stream().map(v -> Arrays.stream(v).map(x -> Math.round(x * 1000) / 1000.0).toArray()).toList());
            rec.put("dropSeriesColumns", "t from the cut (s), packets dropped on link B since the run began");
            rec.put("dropSeries", dropsRel.stream().map(v -> new double[] {Math.round(v[0] * 1000) / 1000.0, v[1]}).toList());
            return rec;
        }
    }

    /** Seconds from the cut to the first sample from which the median of three path-2 window rates is within the tolerance. */
    static double shiftSeconds(List<double[]> rel) {
        List<double[]> after = rel.stream().filter(v -> v[0] > 0).toList();
        for (int k = 0; k + 2 < after.size(); k++) {
            double[] r = {after.get(k)[5], after.get(k + 1)[5], after.get(k + 2)[5]};
            Arrays.sort(r);
            if (r[1] <= TOLERANCE * AFTER_MBIT) {
                return after.get(k)[0];
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /**
     * Seconds from the cut to the last drop on link B, if link B then stayed free of drops for at least
     * {@value #QUIET_SECONDS} s to the end of the window; infinite when it did not (path 2 still pushes more
     * than the cut link carries). {@code drops}: {t from the cut, cumulative drops} from r's counters.
     */
    static double settleSeconds(List<double[]> drops, double afterSeconds) {
        double last = lastDropSeconds(drops);
        double end = drops.isEmpty() ? 0 : drops.get(drops.size() - 1)[0];
        return end >= afterSeconds - 1 && end - last >= QUIET_SECONDS ? last : Double.POSITIVE_INFINITY;
    }

    /** The time from the cut of the last sample that saw link B's drop count rise (0: none after the cut). */
    static double lastDropSeconds(List<double[]> drops) {
        double last = 0;
        for (int k = 1; k < drops.size(); k++) {
            if (drops.get(k)[0] > 0 && drops.get(k)[1] > drops.get(k - 1)[1]) {
                last = drops.get(k)[0];
            }
        }
        return last;
    }

    /** Mean of cwnd2 / (cwnd1 + cwnd2) from {@code from} seconds after the cut. */
    static double windowShare2(List<double[]> rel, double from) {
        return rel.stream().filter(v -> v[0] > from).mapToDouble(v -> v[3] / (v[1] + v[3])).average().orElse(Double.NaN);
    }

    private static void read(Process ss, List<double[]> series) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(ss.getInputStream(), StandardCharsets.US_ASCII))) {
            double[] row = null;
            int path = -1;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("@T ")) {
                    if (row != null && row[1] > 0 && row[3] > 0) {
                        synchronized (series) {
                            series.add(row);
                        }
                    }
                    row = new double[] {Long.parseLong(line.substring(3).trim()), 0, 0, 0, 0, 0};
                } else if (line.isBlank() || row == null) {
                    continue;
                } else if (!Character.isWhitespace(line.charAt(0))) {
                    String[] f = line.trim().split("\\s+");
                    Matcher m = f.length >= 4 ? LOCAL.matcher(f[f.length - 2]) : null;
                    path = m != null && m.find() ? Integer.parseInt(m.group(1)) : -1;
                } else if (path == 1 || path == 2) {
                    Matcher cw = CWND.matcher(line);
                    Matcher ms = MSS.matcher(line);
                    Matcher rt = RTT.matcher(line);
                    if (cw.find() && ms.find() && rt.find()) {
                        double cwnd = Integer.parseInt(cw.group(1));
                        double rtt = Double.parseDouble(rt.group(1));
                        row[path == 1 ? 1 : 3] = cwnd;
                        row[path == 1 ? 2 : 4] = rtt;
                        if (path == 2) {
                            row[5] = cwnd * Integer.parseInt(ms.group(1)) * 8 / (rtt / 1000) / 1e6;
                        }
                    }
                    path = -1;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the sampler was stopped
        }
    }

    private static final Pattern DROPPED = Pattern.compile("\\(dropped (\\d+)");

    private static void readDrops(Process tc, List<long[]> drops) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(tc.getInputStream(), StandardCharsets.US_ASCII))) {
            long t = -1;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("@T ")) {
                    t = Long.parseLong(line.substring(3).trim());
                    continue;
                }
                Matcher m = DROPPED.matcher(line);
                if (t >= 0 && m.find()) {
                    synchronized (drops) {
                        drops.add(new long[] {t, Long.parseLong(m.group(1))});
                    }
                    t = -1;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the sampler was stopped
        }
    }

    private static void drain(MpsecServerSocket listener) {
        try (MpsecSocket peer = listener.accept(); InputStream in = peer.getInputStream()) {
            byte[] buf = new byte[256 * 1024];
            while (in.read(buf) > 0) {
                // count nothing: r's counters measure the links
            }
        } catch (IOException e) {
            // closed at the end of the run
        }
    }

    private static void fill(MpsecSocket socket) {
        try {
            OutputStream out = socket.getOutputStream();
            byte[] chunk = new byte[256 * 1024];
            while (true) {
                out.write(chunk);
            }
        } catch (IOException e) {
            // closed at the end of the run
        }
    }

    private static long wallNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
