package io.mpsec.bench;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
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
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Send / receive efficiency of {@code MpsecSocket} against the C peer, as a ratio within one run
 * (see {@link Efficiency}). The measured invocation runs {@code pairs} pairs, each one clean MPSec
 * transfer and one clean C transfer back to back (stalled transfers, the kernel's stall mode, are
 * retried and counted), and reports the medians. Read the secondary results, not the primary score
 * (which is only invocations per second); there is one measurement iteration, because JMH sums
 * event counters over iterations:
 * <ul>
 * <li>{@code ratio}: MPSec Gbit per CPU-second / C Gbit per CPU-second of the side under test (target >= 0.90);</li>
 * <li>{@code pairRatio}: the same for sender + receiver CPU together (steadier: the kernel charges
 *     softirq work to whichever process runs);</li>
 * <li>{@code mpsecGbitPerCpuSecond}, {@code cGbitPerCpuSecond}: the two efficiencies;</li>
 * <li>{@code stalledRuns}: transfers discarded because the kernel stalled them;</li>
 * <li>{@code jdkRatio}, {@code jdkPairRatio}, {@code jdkGbitPerCpuSecond}: the same for a plain
 *     {@code java.net.Socket} program ({@link JdkPeer}) run under {@code mptcpize run java ...} on the
 *     side under test, against the same C peer, in the same pairs (with {@code jdk=true}; needs mptcpize).</li>
 * <li>{@code nettyRatio}, {@code nettyPairRatio}, {@code nettyGbitPerCpuSecond}: the same for a Netty
 *     application on MPSec's {@code MptcpChannels} ({@link NettyPeer}, with {@code netty=true}).</li>
 * </ul>
 * Run as root: {@code java -jar mpsec-bench/target/benchmarks.jar DataPathBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 1, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 1, time = 1, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class DataPathBenchmark {
    /** The namespaces, the compiled C peer and the direction under test. */
    @State(Scope.Benchmark)
    public static class Env {
        @Param({"SEND", "RECEIVE"})
        public Efficiency.Direction direction;

        @Param({"3"})
        public double seconds;

        /** MPSec/C pairs in the measured invocation; the results are their medians. */
        @Param({"7"})
        public int pairs;

        /** {@code tcp}: MPTCP disabled in the namespaces, both peers fall back to TCP (no stall mode). */
        @Param({"mptcp"})
        public String protocol;

        /** The CPU both sides run on (-1: not pinned). */
        @Param({"-1"})
        public int cpu;

        /**
         * The namespaces' congestion control. With bbr (this kernel's default) nearly every MPTCP
         * transfer on a veth hits the kernel's stall mode; reno avoids it (see {@link Efficiency}).
         */
        @Param({"reno"})
        public String cc;

        /** Whether every pair also measures the JDK's own socket under mptcpize ({@link JdkPeer}). */
        @Param({"true"})
        public boolean jdk;

        /** Whether every pair also measures a Netty application on MPSec's channels ({@link NettyPeer}). */
        @Param({"true"})
        public boolean netty;

        Efficiency efficiency;
        /** Whether the current iteration is JMH's warm-up (one pair then: JIT and class loading). */
        boolean warmup;

        @Setup(Level.Iteration)
        public void iteration(IterationParams params) {
            warmup = params.getType() == IterationType.WARMUP;
        }

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            efficiency = Efficiency.create(Files.createTempDirectory("mpsec-bench"), seconds, !"tcp".equals(protocol), cpu,
                    "default".equals(cc) ? null : cc, jdk, netty);
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
        public double jdkRatio;
        public double jdkPairRatio;
        public double jdkGbitPerCpuSecond;
        public double nettyRatio;
        public double nettyPairRatio;
        public double nettyGbitPerCpuSecond;

        @Setup(Level.Iteration)
        public void clear() {
            ratio = 0;
            pairRatio = 0;
            mpsecGbitPerCpuSecond = 0;
            cGbitPerCpuSecond = 0;
            stalledRuns = 0;
            jdkRatio = 0;
            jdkPairRatio = 0;
            jdkGbitPerCpuSecond = 0;
            nettyRatio = 0;
            nettyPairRatio = 0;
            nettyGbitPerCpuSecond = 0;
        }
    }

    @Benchmark
    public void efficiency(Env env, Result result) throws Exception {
        int stalledBefore = env.efficiency.stalledRuns().size();
        List<Double> ratios = new ArrayList<>();
        List<Double> pairRatios = new ArrayList<>();
        List<Double> mpsec = new ArrayList<>();
        List<Double> c = new ArrayList<>();
        List<Double> jdkRatios = new ArrayList<>();
        List<Double> jdkPairRatios = new ArrayList<>();
        List<Double> jdk = new ArrayList<>();
        List<Double> nettyRatios = new ArrayList<>();
        List<Double> nettyPairRatios = new ArrayList<>();
        List<Double> netty = new ArrayList<>();
        for (int i = 0; i < (env.warmup ? 1 : env.pairs); i++) {
            Efficiency.Pair p = env.efficiency.pair(env.direction, 20);
            if (p == null) {
                System.out.println("no clean pair in 20 attempts: every transfer hit the kernel's stall mode");
                continue;
            }
            System.out.println(p.mpsec());
            System.out.println(p.c());
            if (p.jdk() != null) {
                System.out.println(p.jdk());
                jdkRatios.add(p.jdkRatio());
                jdkPairRatios.add(p.jdkPairRatio());
                jdk.add(p.jdk().self().gbitPerCpuSecond());
            }
            if (p.netty() != null) {
                System.out.println(p.netty());
                nettyRatios.add(p.nettyRatio());
                nettyPairRatios.add(p.nettyPairRatio());
                netty.add(p.netty().self().gbitPerCpuSecond());
            }
            ratios.add(p.ratio());
            pairRatios.add(p.pairRatio());
            mpsec.add(p.mpsec().self().gbitPerCpuSecond());
            c.add(p.c().self().gbitPerCpuSecond());
        }
        result.stalledRuns = env.efficiency.stalledRuns().size() - stalledBefore;
        result.ratio = EfficiencyMain.median(ratios);
        result.pairRatio = EfficiencyMain.median(pairRatios);
        result.mpsecGbitPerCpuSecond = EfficiencyMain.median(mpsec);
        result.cGbitPerCpuSecond = EfficiencyMain.median(c);
        result.jdkRatio = EfficiencyMain.median(jdkRatios);
        result.jdkPairRatio = EfficiencyMain.median(jdkPairRatios);
        result.jdkGbitPerCpuSecond = EfficiencyMain.median(jdk);
        result.nettyRatio = EfficiencyMain.median(nettyRatios);
        result.nettyPairRatio = EfficiencyMain.median(nettyPairRatios);
        result.nettyGbitPerCpuSecond = EfficiencyMain.median(netty);
    }
}
