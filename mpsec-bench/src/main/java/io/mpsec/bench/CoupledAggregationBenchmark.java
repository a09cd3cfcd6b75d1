package io.mpsec.bench;

import io.mpsec.kernel.bpf.CoupledCongestionControl;
import io.mpsec.pm.CongestionControl;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * Aggregation with each coupled congestion control (the coupled-CC issue's "at least 0.90 of the sum
 * on two separate 100 Mbit/s paths"): the {@link Aggregation} rounds of {@link AggregationBenchmark},
 * with every client socket asking for the algorithm with TCP_CONGESTION before it connects, MPSec's
 * BPF version loaded for the run ({@link CoupledCongestionControl}). {@code reno} is the uncoupled
 * baseline in the same run. Before the rounds, one stream checks with {@code ss -ti} that every subflow
 * of the connection really runs the algorithm (a subflow that silently fell back to the default would
 * make the figure meaningless).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1, time = 1, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class CoupledAggregationBenchmark {
    /** The testbed, the loaded algorithm and the round parameters. */
    @State(Scope.Benchmark)
    public static class Env extends RoundParams {
        /** The kernel name: reno (uncoupled baseline) or one of MPSec's BPF algorithms. */
        @Param({"reno", "mpsec_lia", "mpsec_olia", "mpsec_balia", "mpsec_wvegas"})
        public String cc;

        @Param({"100+100"})
        public String rates;

        PathNet net;
        CoupledCongestionControl loaded;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            if (cc.startsWith("mpsec_")) {
                loaded = CoupledCongestionControl.load(new CongestionControl(cc.substring("mpsec_".length())));
                if (!loaded.kernelName().equals(cc)) {
                    throw new IllegalStateException("asked for " + cc + ", the kernel offers " + loaded.kernelName());
                }
            }
            net = PathNet.create(AggregationBenchmark.parseRates(rates));
            net.congestionControl(cc);
            checkEverySubflowRuns(net, cc);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            if (net != null) {
                net.close();
            }
            if (loaded != null) {
                loaded.close();
            }
        }
    }

    @Benchmark
    public void aggregate(Env env, RoundMedians result) throws Exception {
        result.measure(env.net, env.rates, env.rounds, env.warmSeconds, env.seconds, true, "CoupledAggregationBenchmark-" + env.cc);
    }

    /** One stream over every path; {@code ss -ti} in the client namespace must name {@code cc} on each of its subflows. */
    static void checkEverySubflowRuns(PathNet net, String cc) throws Exception {
        net.useExtraPaths(net.paths(), false);
        try (Stream s = Stream.start(net, 1)) {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (s.clientSocket().connectionInfo().pathsInUse() < net.paths() && System.nanoTime() < deadline) {
                PathNet.sleep(20);
            }
            String ss = BenchNet.output(BenchNet.in(net.client(), "ss", "-tinH", "state", "established").toArray(String[]::new));
            s.finish();
            List<String> subflows = Arrays.stream(ss.split("\n(?=\\S)")).filter(l -> l.contains("198.18.")).toList();
            if (subflows.size() < net.paths() || !subflows.stream().allMatch(l -> l.matches("(?s).*\\s" + cc + "\\s.*"))) {
                throw new IllegalStateException("not every subflow runs " + cc + " (" + subflows.size() + " TCP sockets, ss -ti):\n" + ss);
            }
        }
    }
}
