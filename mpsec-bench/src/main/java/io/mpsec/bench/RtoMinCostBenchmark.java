package io.mpsec.bench;

import io.mpsec.SubflowInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * What a lower {@code rto_min} on a path's routes costs when nothing fails: the failover benchmark's
 * testbed (two 100 Mbit/s HTB paths, the in-kernel path manager, an MPTCP stream over both) with
 * bursts of single-path cross traffic on path 1 ({@code iperf3 -R}: {@code burstFlows} Reno flows from
 * the server for {@code burstSeconds} every {@code burstEverySeconds}, sharing the server's path-1 HTB
 * queue with the stream's ACKs), so that path 1's RTT jumps as the queue fills, which is when a
 * retransmission timer set too short fires for nothing. Windows of
 * {@code seconds} alternate between the kernel's default floor (200 ms) and {@code rtoMin} ms on path 1's
 * routes on both hosts, {@code rounds} of each, every window on a new stream (so its subflows look the
 * route up afresh), checked at its end (CRC-32, no reset). Per window the side file
 * {@code RtoMinCostBenchmark.jsonl} holds the client namespace's timeout and retransmission counters
 * (F-RTO's {@code TcpExtTCPSpuriousRTOs} counts the timeouts it proved spurious), the stream's rate and
 * the range of path 1's smoothed RTT. Secondary results, medians over the windows of each floor:
 * {@code timeoutsDefault}/{@code timeoutsLowered}, {@code spuriousDefault}/{@code spuriousLowered},
 * {@code retransDefault}/{@code retransLowered} (per window), and {@code rateRatio} (the stream's rate
 * with the lowered floor / with the default).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1, time = 1, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class RtoMinCostBenchmark {
    private static final Pattern RTO = Pattern.compile("\\brto:([0-9.]+)");

    /** The testbed, the cross-traffic server and the floors compared. */
    @State(Scope.Benchmark)
    public static class Env {
        /** The lowered floor (ms) compared with the kernel's default. */
        @Param({"50", "10"})
        public int rtoMin;

        @Param({"3"})
        public int rounds;

        @Param({"10"})
        public double seconds;

        @Param({"1"})
        public int burstSeconds;

        @Param({"2.5"})
        public double burstEverySeconds;

        /** Parallel flows per burst. */
        @Param({"4"})
        public int burstFlows;

        PathNet net;
        Process iperfServer;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            if (rtoMin <= 0 || rtoMin >= 200 || rounds < 1 || seconds < 2 || burstSeconds < 1 || burstEverySeconds <= burstSeconds) {
                throw new IllegalArgumentException("need 0 < rtoMin < 200 (ms; 200 is the default floor), rounds >= 1, seconds >= 2, "
                        + "burstSeconds >= 1 and burstEverySeconds > burstSeconds; got rtoMin=" + rtoMin + " rounds=" + rounds
                        + " seconds=" + seconds + " burstSeconds=" + burstSeconds + " burstEverySeconds=" + burstEverySeconds);
            }
            net = PathNet.create(100, 100);
            net.useExtraPaths(2, false);
            iperfServer = new ProcessBuilder(BenchNet.in(net.server(), "iperf3", "-s", "-B", "198.18.1.2"))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            PathNet.sleep(300);
            if (!iperfServer.isAlive()) {
                throw new IOException("iperf3 -s did not start in " + net.server() + " (exit " + iperfServer.exitValue() + ")");
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            if (iperfServer != null) {
                iperfServer.destroy();
                iperfServer.waitFor(5, TimeUnit.SECONDS);
            }
            net.close();
        }
    }

    /** Medians over the windows of each floor, reported by JMH as secondary metrics. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Result {
        public double timeoutsDefault;
        public double timeoutsLowered;
        public double spuriousDefault;
        public double spuriousLowered;
        public double retransDefault;
        public double retransLowered;
        public double rateRatio;
        public double windows;
    }

    @Benchmark
    public void cost(Env env, Result result) throws Exception {
        Map<Integer, List<Map<String, Object>>> by = new LinkedHashMap<>();
        for (int round = 0; round < env.rounds; round++) {
            // alternate which floor goes first, so that a drift of the machine's load favours neither
            int[] order = round % 2 == 0 ? new int[] {0, env.rtoMin} : new int[] {env.rtoMin, 0};
            for (int floor : order) {
                Map<String, Object> rec = window(env, floor, round);
                SideFile.append("RtoMinCostBenchmark", rec);
                by.computeIfAbsent(floor, k -> new ArrayList<>()).add(rec);
                System.out.println("rto_min " + (floor == 0 ? "default" : floor + " ms") + ", round " + round + ": " + rec);
            }
        }
        result.timeoutsDefault = median(by.get(0), "timeouts");
        result.timeoutsLowered = median(by.get(env.rtoMin), "timeouts");
        result.spuriousDefault = median(by.get(0), "spuriousRtos");
        result.spuriousLowered = median(by.get(env.rtoMin), "spuriousRtos");
        result.retransDefault = median(by.get(0), "retransSegs");
        result.retransLowered = median(by.get(env.rtoMin), "retransSegs");
        result.rateRatio = median(by.get(env.rtoMin), "streamMbit") / median(by.get(0), "streamMbit");
        result.windows = env.rounds * 2;
    }

    /** One window on a new stream with path 1's floor at {@code floor} ms (0: the default). */
    private static Map<String, Object> window(Env env, int floor, int round) throws Exception {
        env.net.setRtoMin(1, floor);
        Map<String, Object> rec = new LinkedHashMap<>();
        try (Stream s = Stream.start(env.net, 1)) {
            int subflows = s.awaitSubflows(2, 3000);
            PathNet.sleep(1000);
            Map<String, Long> before = Mib.read(env.net.client());
            long bytes0 = s.received();
            long t0 = System.nanoTime();
            long end = t0 + (long) (env.seconds * 1e9);
            long nextBurst = t0 + 500_000_000L;
            int bursts = 0;
            Process burst = null;
            double rttMin = Double.MAX_VALUE;
            double rttMax = 0;
            long lastSs = 0;
            List<Double> rto = new ArrayList<>();
            while (System.nanoTime() < end) {
                if (System.nanoTime() >= nextBurst && (burst == null || !burst.isAlive())) {
                    burst = new ProcessBuilder(BenchNet.in(env.net.client(), "iperf3", "-c", "198.18.1.2", "-B", "198.18.1.1",
                            "-t", Integer.toString(env.burstSeconds), "-C", "reno", "-R", "-P", Integer.toString(env.burstFlows),
                            "--connect-timeout", "1000"))
                            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    bursts++;
                    nextBurst += (long) (env.burstEverySeconds * 1e9);
                }
                for (SubflowInfo sf : s.clientSocket().subflows()) {
                    if (sf.local().getAddress().getHostAddress().equals("198.18.1.1") && sf.rttMicros() > 0) {
                        rttMin = Math.min(rttMin, sf.rttMicros() / 1000.0);
                        rttMax = Math.max(rttMax, sf.rttMicros() / 1000.0);
                    }
                }
                if (System.nanoTime() - t0 > 1_500_000_000L && System.nanoTime() - lastSs > 1_000_000_000L) {
                    lastSs = System.nanoTime();
                    rto.addAll(path1Rto(env.net));
                }
                PathNet.sleep(50);
            }
            double elapsed = (System.nanoTime() - t0) / 1e9;
            long bytes = s.received() - bytes0;
            Map<String, Long> mib = Mib.delta(before, Mib.read(env.net.client()));
            if (burst != null) {
                burst.waitFor(5, TimeUnit.SECONDS);
            }
            s.finish();
            rec.put("rtoMin", floor);
            rec.put("lowered", env.rtoMin);
            rec.put("round", round);
            rec.put("seconds", elapsed);
            rec.put("subflows", subflows);
            rec.put("bursts", bursts);
            rec.put("streamMbit", bytes * 8 / elapsed / 1e6);
            rec.put("timeouts", mib.getOrDefault("TcpExtTCPTimeouts", 0L));
            rec.put("spuriousRtos", mib.getOrDefault("TcpExtTCPSpuriousRTOs", 0L));
            rec.put("retransSegs", mib.getOrDefault("TcpRetransSegs", 0L));
            rec.put("mptcpRetrans", mib.getOrDefault("MPTcpExtMPTCPRetrans", 0L));
            rec.put("path1SrttMinMillis", rttMin == Double.MAX_VALUE ? -1 : rttMin);
            rec.put("path1SrttMaxMillis", rttMax);
            rec.put("path1RtoMinMillis", rto.stream().mapToDouble(Double::doubleValue).min().orElse(-1));
            rec.put("path1RtoMaxMillis", rto.stream().mapToDouble(Double::doubleValue).max().orElse(-1));
            rec.put("mib", mib);
        } finally {
            env.net.setRtoMin(1, 0);
        }
        return rec;
    }

    /**
     * The {@code rto} of the stream's TCP sockets on path 1's client address, the cross traffic's (to
     * port 5201) left out ({@code ss -ti}: the floor in effect shows here).
     */
    private static List<Double> path1Rto(PathNet net) throws IOException {
        List<Double> out = new ArrayList<>();
        Matcher m = RTO.matcher(BenchNet.output("ip", "netns", "exec", net.client(), "ss", "-tin", "src", "198.18.1.1", "and", "not", "dport", "=", ":5201"));
        while (m.find()) {
            out.add(Double.parseDouble(m.group(1)));
        }
        return out;
    }

    static double median(List<Map<String, Object>> recs, String key) {
        return EfficiencyMain.median(recs.stream().map(r -> ((Number) r.get(key)).doubleValue()).toList());
    }
}
