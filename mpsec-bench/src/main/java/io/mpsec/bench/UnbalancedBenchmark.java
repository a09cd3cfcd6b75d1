package io.mpsec.bench;

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
    public static class Env extends RoundParams {
        @Param({"100+25"})
        public String rates;

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

    @Benchmark
    public void aggregate(Env env, RoundMedians result) throws Exception {
        result.measure(env.net, env.rates, env.rounds, env.warmSeconds, env.seconds, false, "UnbalancedBenchmark");
    }
}
