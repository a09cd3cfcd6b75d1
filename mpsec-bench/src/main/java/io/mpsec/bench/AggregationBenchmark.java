package io.mpsec.bench;

import java.util.Arrays;
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
 * Aggregation: {@code MpsecSocket} over all paths of an HTB testbed against one path, in the same run
 * (see {@link Aggregation}). {@code rates} is the per-path rates in Mbit/s joined by +: {@code 100+100} (target
 * >= 1.90x), {@code 100+100+100}, {@code 10+10}, {@code 1000+1000}. The measured invocation runs
 * {@code rounds} rounds and reports medians as secondary results (one measurement iteration, because
 * JMH sums event counters over iterations): {@code ratio} (all paths / path 1 alone),
 * {@code fractionOfSum} (all paths / the sum of each path alone), {@code minShare} (the smallest share
 * of bytes a path carried, HTB counters). A round where a path carried less than 0.8/n of the bytes
 * fails the benchmark. Per-round detail goes to the side file {@code AggregationBenchmark.jsonl}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1, time = 1, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class AggregationBenchmark {
    /** The testbed and the round parameters. */
    @State(Scope.Benchmark)
    public static class Env extends RoundParams {
        @Param({"100+100", "100+100+100", "10+10", "1000+1000"})
        public String rates;

        PathNet net;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            net = PathNet.create(parseRates(rates));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            net.close();
        }
    }

    @Benchmark
    public void aggregate(Env env, RoundMedians result) throws Exception {
        result.measure(env.net, env.rates, env.rounds, env.warmSeconds, env.seconds, true, "AggregationBenchmark");
    }

    static int[] parseRates(String rates) {
        try {
            return Arrays.stream(rates.split("\\+")).map(String::strip).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("rates must be Mbit/s joined by +, e.g. 100+100 (JMH splits -p values at commas); got '" + rates + "'", e);
        }
    }
}
