package io.mpsec.bench;

import java.nio.file.Files;
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
 * Send / receive efficiency of {@code MpsecSocket} against the C peer, as a ratio within one run
 * (see {@link Efficiency}). Each invocation measures one clean MPSec transfer and one clean C transfer
 * back to back; stalled transfers (the kernel's stall mode) are retried and counted. Read the
 * secondary results, not the primary score (which is only invocations per second):
 * <ul>
 * <li>{@code ratio}: MPSec Gbit per CPU-second / C Gbit per CPU-second of the side under test (target >= 0.90);</li>
 * <li>{@code pairRatio}: the same for sender + receiver CPU together (steadier: the kernel charges
 *     softirq work to whichever process runs);</li>
 * <li>{@code mpsecGbitPerCpuSecond}, {@code cGbitPerCpuSecond}: the two efficiencies;</li>
 * <li>{@code stalledRuns}: transfers discarded because the kernel stalled them.</li>
 * </ul>
 * Run as root: {@code java -jar mpsec-bench/target/benchmarks.jar DataPathBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 1, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class DataPathBenchmark {
    /** The namespaces, the compiled C peer and the direction under test. */
    @State(Scope.Benchmark)
    public static class Env {
        @Param({"SEND", "RECEIVE"})
        public Efficiency.Direction direction;

        @Param({"3"})
        public double seconds;

        /** {@code tcp}: MPTCP disabled in the namespaces, both peers fall back to TCP (no stall mode). */
        @Param({"mptcp"})
        public String protocol;

        Efficiency efficiency;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            efficiency = Efficiency.create(Files.createTempDirectory("mpsec-bench"), seconds, !"tcp".equals(protocol));
            System.out.println("kernel " + System.getProperty("os.version") + ", Java " + System.getProperty("java.version"));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            System.out.println("stalled runs (kernel stall mode, not compared): " + efficiency.stalledRuns().size());
            efficiency.stalledRuns().forEach(r -> System.out.println("  " + r));
            efficiency.close();
        }
    }

    /** The per-iteration results, reported by JMH as secondary metrics. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Result {
        public double ratio;
        public double pairRatio;
        public double mpsecGbitPerCpuSecond;
        public double cGbitPerCpuSecond;
        public double stalledRuns;

        @Setup(Level.Iteration)
        public void clear() {
            ratio = 0;
            pairRatio = 0;
            mpsecGbitPerCpuSecond = 0;
            cGbitPerCpuSecond = 0;
            stalledRuns = 0;
        }
    }

    @Benchmark
    public void efficiency(Env env, Result result) throws Exception {
        int stalledBefore = env.efficiency.stalledRuns().size();
        Efficiency.Pair p = env.efficiency.pair(env.direction, 20);
        result.stalledRuns = env.efficiency.stalledRuns().size() - stalledBefore;
        if (p == null) {
            System.out.println("no clean pair in 20 attempts: every transfer hit the kernel's stall mode");
            return;
        }
        System.out.println(p.mpsec());
        System.out.println(p.c());
        result.ratio = p.ratio();
        result.pairRatio = p.pairRatio();
        result.mpsecGbitPerCpuSecond = p.mpsec().self().gbitPerCpuSecond();
        result.cGbitPerCpuSecond = p.c().self().gbitPerCpuSecond();
    }
}
