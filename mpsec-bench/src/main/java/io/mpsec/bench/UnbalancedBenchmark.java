package io.mpsec.bench;

import java.util.ArrayList;
import java.util.Arrays;
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
 * Unbalanced paths: {@code MpsecSocket} over 100 + 25 Mbit/s HTB paths as a fraction of the sum of
 * what each path carries alone, measured in the same round (see {@link Aggregation}); target >= 0.90.
 * The side file {@code UnbalancedBenchmark.jsonl} holds, per round, each subflow's cwnd and RTT at the
 * end of the window, MPTCP_INFO retransmissions and the client's MIB counters over the window, from
 * which the report explains a shortfall. No share check here: the slow path is expected to carry
 * about a fifth of the bytes.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1, time = 1, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class UnbalancedBenchmark {
    /** The testbed and the round parameters. */
    @State(Scope.Benchmark)
    public static class Env {
        @Param({"100+25"})
        public String rates;

        @Param({"3"})
        public int rounds;

        /** Measurement window per transfer (s). */
        @Param({"4"})
        public double seconds;

        /** Time before the window (s): connection, joins, slow start. */
        @Param({"1"})
        public double warmSeconds;

        PathNet net;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            net = PathNet.create(AggregationBenchmark.parseRates(rates));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            net.close();
        }
    }

    /** Medians of the rounds, reported by JMH as secondary metrics. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Result {
        public double ratio;
        public double fractionOfSum;
        public double onePathMbit;
        public double allPathsMbit;
        public double minShare;
    }

    @Benchmark
    public void aggregate(Env env, Result result) throws Exception {
        List<Double> ratio = new ArrayList<>();
        List<Double> fraction = new ArrayList<>();
        List<Double> one = new ArrayList<>();
        List<Double> all = new ArrayList<>();
        List<Double> minShare = new ArrayList<>();
        for (int i = 0; i < env.rounds; i++) {
            Aggregation.Round r = Aggregation.round(env.net, env.warmSeconds, env.seconds, false);
            ratio.add(r.ratio());
            fraction.add(r.fractionOfSum());
            one.add(r.alone()[0]);
            all.add(r.together());
            minShare.add(Arrays.stream(r.shares()).min().orElse(0));
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("rates", env.rates);
            rec.put("round", i);
            rec.put("ratio", r.ratio());
            rec.put("fractionOfSum", r.fractionOfSum());
            rec.putAll(r.detail());
            SideFile.append("UnbalancedBenchmark", rec);
            System.out.println("round " + i + ": " + rec);
        }
        result.ratio = EfficiencyMain.median(ratio);
        result.fractionOfSum = EfficiencyMain.median(fraction);
        result.onePathMbit = EfficiencyMain.median(one);
        result.allPathsMbit = EfficiencyMain.median(all);
        result.minShare = EfficiencyMain.median(minShare);
    }
}
