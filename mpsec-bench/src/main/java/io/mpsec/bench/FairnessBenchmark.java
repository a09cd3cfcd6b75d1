package io.mpsec.bench;

import io.mpsec.kernel.bpf.CoupledCongestionControl;
import io.mpsec.pm.CongestionControl;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 * Fairness on a shared bottleneck (issue 11, RFC 6356 "do no harm"): one 2-subflow MPTCP connection
 * against one single-path TCP flow ({@code competitor}: reno or cubic) through a {@link BottleneckNet}
 * ({@code rateMbit} HTB with a {@code queuePackets}-packet pfifo leaf on a forwarding router). Each of
 * {@code runs} runs measures, back to back, the uncoupled baseline (the competitor's algorithm on both
 * subflows) and then each coupled algorithm of {@code algorithms} ({@code mpsec_lia}, ...), every contest
 * {@code warmSeconds} + {@code seconds}; MPTCP's share is its part of the bytes the server received in
 * the window. Targets for each coupled algorithm, medians over the runs: share <= 0.55, and at least 10
 * points below the baseline of the same run. Every contest goes to the side file
 * {@code FairnessBenchmark.jsonl} ({@link FairnessSection} builds the table from it); JMH's secondary
 * results are the medians (-1 for an algorithm not run). A contest without a single drop at the
 * bottleneck, or with fewer than two subflows, fails the benchmark: the setup would be broken.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1, time = 1, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class FairnessBenchmark {
    /** The testbed, the loaded algorithms and the run parameters. */
    @State(Scope.Benchmark)
    public static class Env {
        @Param({"reno", "cubic"})
        public String competitor;

        /** Coupled algorithms (lia, olia, balia), comma-separated. */
        @Param({"lia,olia,balia"})
        public String algorithms;

        @Param({"5"})
        public int runs;

        /** Measurement window per contest (s). */
        @Param({"30"})
        public double seconds;

        /** Time before the window (s): connection, join, slow start, first losses. */
        @Param({"5"})
        public double warmSeconds;

        @Param({"100"})
        public int rateMbit;

        @Param({"100"})
        public int queuePackets;

        BottleneckNet net;
        final List<CoupledCongestionControl> loaded = new ArrayList<>();

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            net = BottleneckNet.create(rateMbit, queuePackets);
            for (String a : algorithms.split(",")) {
                loaded.add(CoupledCongestionControl.load(coupled(a.strip())));
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            loaded.forEach(CoupledCongestionControl::close);
            net.close();
        }
    }

    /** Medians over the runs, reported by JMH as secondary metrics (-1: not run). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Result {
        public double uncoupledShare = -1;
        public double liaShare = -1;
        public double oliaShare = -1;
        public double baliaShare = -1;
        public double liaPointsBelow = -1;
        public double oliaPointsBelow = -1;
        public double baliaPointsBelow = -1;
        public double dropped;
    }

    static CongestionControl coupled(String name) {
        return switch (name) {
            case "lia" -> CongestionControl.LIA;
            case "olia" -> CongestionControl.OLIA;
            case "balia" -> CongestionControl.BALIA;
            default -> throw new IllegalArgumentException("unknown coupled algorithm '" + name + "': use lia, olia or balia");
        };
    }

    @Benchmark
    public void fairness(Env env, Result result) throws Exception {
        Map<String, List<Double>> shares = new LinkedHashMap<>();
        Map<String, List<Double>> below = new LinkedHashMap<>();
        List<Double> drops = new ArrayList<>();
        for (int run = 0; run < env.runs; run++) {
            double baseline = contest(env, run, env.competitor, "uncoupled", shares, drops);
            for (int i = 0; i < env.loaded.size(); i++) {
                String name = env.loaded.get(i).requested().name();
                double share = coupledContest(env, i, run, shares, drops);
                below.computeIfAbsent(name, k -> new ArrayList<>()).add(100 * (baseline - share));
            }
        }
        result.uncoupledShare = EfficiencyMain.median(shares.get("uncoupled"));
        result.liaShare = medianOr(shares.get("lia"));
        result.oliaShare = medianOr(shares.get("olia"));
        result.baliaShare = medianOr(shares.get("balia"));
        result.liaPointsBelow = medianOr(below.get("lia"));
        result.oliaPointsBelow = medianOr(below.get("olia"));
        result.baliaPointsBelow = medianOr(below.get("balia"));
        result.dropped = EfficiencyMain.median(drops);
    }

    /**
     * A contest with {@code env.loaded.get(i)}. The registration is host-wide: another process (a test's
     * recovery, another benchmark) may remove it meanwhile, and the subflows then fall back to the
     * default. Then this registers the algorithm again and repeats the contest, at most twice.
     */
    private static double coupledContest(Env env, int i, int run, Map<String, List<Double>> shares, List<Double> drops) throws Exception {
        for (int attempt = 0;; attempt++) {
            CoupledCongestionControl cc = env.loaded.get(i);
            try {
                return contest(env, run, cc.kernelName(), cc.requested().name(), shares, drops);
            } catch (FairnessContest.FallbackException e) {
                if (attempt >= 2) {
                    throw e;
                }
                System.out.println("registering " + cc.kernelName() + " again and repeating the contest: " + e.getMessage());
                cc.close();
                CoupledCongestionControl.unregister(cc.kernelName());
                env.loaded.set(i, CoupledCongestionControl.load(cc.requested()));
            }
        }
    }

    private static double contest(Env env, int run, String mptcpCongestion, String label, Map<String, List<Double>> shares,
            List<Double> drops) throws Exception {
        FairnessContest.Result r = FairnessContest.run(env.net, mptcpCongestion, env.competitor, env.warmSeconds, env.seconds);
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("run", run);
        rec.put("algorithm", label);
        rec.put("rateMbit", env.rateMbit);
        rec.put("queuePackets", env.queuePackets);
        rec.putAll(r.record());
        SideFile.append("FairnessBenchmark", rec);
        System.out.printf("run %d, %s vs %s: MPTCP share %.3f (%.1f vs %.1f Mbit/s), %d drops, %d subflows%n", run, mptcpCongestion,
                env.competitor, r.mptcpShare(), r.mptcpMbit(), r.tcpMbit(), r.bottleneck().dropped(), r.subflows());
        if (r.bottleneck().dropped() == 0 || r.subflows() < 2) {
            throw new IllegalStateException("broken fairness setup: " + r.bottleneck().dropped() + " drops at the bottleneck and "
                    + r.subflows() + " MPTCP subflows in the window (need drops and 2 subflows): " + rec);
        }
        shares.computeIfAbsent(label, k -> new ArrayList<>()).add(r.mptcpShare());
        drops.add((double) r.bottleneck().dropped());
        return r.mptcpShare();
    }

    private static double medianOr(List<Double> values) {
        return values == null ? -1 : EfficiencyMain.median(values);
    }
}
