package io.mpsec.bench;

import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.kernel.pm.MptcpPathManager;
import io.mpsec.pm.Endpoint;
import io.mpsec.pm.EndpointFlag;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Control plane: MPTCP endpoint add + delete per second in a fresh namespace, through MPSec's
 * {@link MptcpPathManager} (one generic netlink request and its acknowledgement per operation, one
 * socket kept open) against {@code ip -batch} doing the same: {@code cycles} times {@code endpoints} adds (ids 1..n,
 * {@code 198.18.10.i subflow}) then as many deletes (a namespace holds at most 8 endpoints,
 * {@code MPTCP_PM_ADDR_MAX} in the kernel's net/mptcp/pm_kernel.c). {@code ip}'s time includes starting the process,
 * as a script calling it would pay. The invocation alternates the two {@code rounds} times (after one
 * unmeasured warm-up of each) and reports medians: {@code ratio} (MPSec pairs per second / ip's,
 * target >= 1.0), {@code mpsecPerSecond}, {@code ipBatchPerSecond}. Both leave the namespace without
 * endpoints, checked after every run.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1, time = 1, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class ControlPlaneBenchmark {
    /** The namespace and the batch. */
    @State(Scope.Benchmark)
    public static class Env {
        @Param({"8"})
        public int endpoints;

        @Param({"50"})
        public int cycles;

        @Param({"15"})
        public int rounds;

        PathNet net;
        NetNamespace ns;
        MptcpPathManager pm;
        Path batch;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            if (endpoints < 1 || endpoints > 8 || cycles < 1) {
                throw new IllegalArgumentException("endpoints must be 1..8 (the kernel keeps at most 8) and cycles >= 1, not "
                        + endpoints + " and " + cycles);
            }
            net = PathNet.create(1000);
            ns = NetNamespace.open(net.client());
            pm = MptcpPathManager.open(ns);
            pm.flushEndpoints();
            StringBuilder b = new StringBuilder();
            for (int c = 0; c < cycles; c++) {
                for (int i = 1; i <= endpoints; i++) {
                    b.append("mptcp endpoint add ").append(address(i)).append(" id ").append(i).append(" subflow\n");
                }
                for (int i = 1; i <= endpoints; i++) {
                    b.append("mptcp endpoint delete id ").append(i).append('\n');
                }
            }
            batch = Files.createTempFile("mpsec-bench-endpoints", ".batch");
            Files.writeString(batch, b.toString(), StandardCharsets.UTF_8);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            pm.close();
            ns.close();
            net.close();
            Files.deleteIfExists(batch);
        }

        static String address(int i) {
            return "198.18.10." + i;
        }
    }

    /** Medians, reported by JMH as secondary metrics. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Result {
        public double ratio;
        public double mpsecPerSecond;
        public double ipBatchPerSecond;
    }

    @Benchmark
    public void endpoints(Env env, Result result) throws Exception {
        mpsec(env);
        ipBatch(env);
        List<Double> ratio = new ArrayList<>();
        List<Double> m = new ArrayList<>();
        List<Double> ip = new ArrayList<>();
        for (int i = 0; i < env.rounds; i++) {
            double a = mpsec(env);
            double b = ipBatch(env);
            ratio.add(a / b);
            m.add(a);
            ip.add(b);
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("endpoints", env.endpoints);
            rec.put("cycles", env.cycles);
            rec.put("round", i);
            rec.put("mpsecPerSecond", a);
            rec.put("ipBatchPerSecond", b);
            rec.put("ratio", a / b);
            SideFile.append("ControlPlaneBenchmark", rec);
        }
        result.ratio = EfficiencyMain.median(ratio);
        result.mpsecPerSecond = EfficiencyMain.median(m);
        result.ipBatchPerSecond = EfficiencyMain.median(ip);
    }

    /** Add + delete pairs per second through MPSec. */
    private static double mpsec(Env env) throws Exception {
        Endpoint[] eps = new Endpoint[env.endpoints + 1];
        for (int i = 1; i <= env.endpoints; i++) {
            eps[i] = Endpoint.of(InetAddress.getByName(Env.address(i)), EndpointFlag.SUBFLOW).withId(i);
        }
        long t0 = System.nanoTime();
        for (int c = 0; c < env.cycles; c++) {
            for (int i = 1; i <= env.endpoints; i++) {
                env.pm.addEndpoint(eps[i]);
            }
            for (int i = 1; i <= env.endpoints; i++) {
                env.pm.deleteEndpoint(i);
            }
        }
        long t1 = System.nanoTime();
        checkEmpty(env, "MPSec");
        return (double) env.cycles * env.endpoints / ((t1 - t0) / 1e9);
    }

    /** Add + delete pairs per second through {@code ip -batch}. */
    private static double ipBatch(Env env) throws Exception {
        long t0 = System.nanoTime();
        BenchNet.run("ip", "-n", env.net.client(), "-batch", env.batch.toString());
        long t1 = System.nanoTime();
        checkEmpty(env, "ip -batch");
        return (double) env.cycles * env.endpoints / ((t1 - t0) / 1e9);
    }

    private static void checkEmpty(Env env, String who) throws Exception {
        int left = env.pm.endpoints().size();
        if (left != 0) {
            throw new IllegalStateException(who + " left " + left + " endpoints behind: the add/delete run did not complete");
        }
    }
}
