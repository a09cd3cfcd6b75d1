package io.mpsec.bench;

import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.kernel.pm.strategy.Backup;
import io.mpsec.kernel.pm.strategy.StrategyRunner;
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
 * Failover: the longest receive gap when path 1 of two 100 Mbit/s HTB paths is cut mid-transfer (see
 * {@link Failover}). {@code cut}: {@code LINK_DOWN} (the client's device goes down) or
 * {@code BLACKHOLE} (nft drops the path's packets at the server). {@code pm}: {@code DEFAULT} (the
 * in-kernel path manager, a subflow endpoint on path 2, both paths active) or {@code BACKUP} (MPSec's
 * {@link Backup} strategy over the userspace path manager: path 2 is the standby) or
 * {@code BACKUP_LINK_ONLY} (the control: {@link Backup} without blackhole detection) or
 * {@code BACKUP_SWAP_ONLY} (the control: {@link SwapOnlyBackup}, priorities swapped only). {@code cuts} cuts
 * in streams of {@code cutsPerStream}, each stream checked (CRC-32, no reset). {@code rtoMin} (ms, 0:
 * the kernel's default) sets {@code rto_min} on path 1's routes. Secondary results: {@code p50},
 * {@code p95}, {@code max} (ms), {@code cuts}, {@code streamsChecked}. Targets for link-down: max <= 250
 * ms with DEFAULT, <= 100 ms with BACKUP. Every gap goes to the side file {@code FailoverBenchmark.jsonl}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1, time = 1, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class FailoverBenchmark {
    /** The testbed, the path manager and the cut parameters. */
    @State(Scope.Benchmark)
    public static class Env {
        @Param({"LINK_DOWN", "BLACKHOLE"})
        public Failover.Cut cut;

        @Param({"DEFAULT", "BACKUP", "BACKUP_LINK_ONLY", "BACKUP_SWAP_ONLY"})
        public String pm;

        @Param({"50"})
        public int cuts;

        @Param({"10"})
        public int cutsPerStream;

        /** How long path 1 stays cut (ms). */
        @Param({"800"})
        public long cutMillis;

        @Param({"0"})
        public int rtoMin;

        /**
         * Link-down only: the server sends no ARP on path 1 for this long (ms) after every restore, so
         * path 1 carries nothing until the client's next ARP request 1 s later, as after the slow
         * restores seen by themselves (0: off).
         */
        @Param({"0"})
        public long arpDropMillis;

        PathNet net;
        NetNamespace clientNs;
        StrategyRunner runner;
        Path stateDir;
        Failover failover;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            net = PathNet.create(100, 100);
            switch (pm) {
                case "DEFAULT" -> net.useExtraPaths(2, false);
                case "BACKUP", "BACKUP_LINK_ONLY", "BACKUP_SWAP_ONLY" -> {
                    net.useExtraPaths(1, false);
                    clientNs = NetNamespace.open(net.client());
                    stateDir = Files.createTempDirectory("mpsec-bench-pm");
                    runner = StrategyRunner.start(clientNs, stateDir, switch (pm) {
                        case "BACKUP" -> new Backup(PathNet.clientAddress(2), PathNet.serverAddress(2));
                        // the control: the same strategy without blackhole detection (failover on link-down only)
                        case "BACKUP_LINK_ONLY" -> new Backup(PathNet.clientAddress(2), PathNet.serverAddress(2), 0);
                        default -> new SwapOnlyBackup(PathNet.clientAddress(2), PathNet.serverAddress(2));
                    });
                }
                default -> throw new IllegalArgumentException("pm must be DEFAULT, BACKUP, BACKUP_LINK_ONLY or BACKUP_SWAP_ONLY, not " + pm);
            }
            failover = new Failover(net, cut, cutMillis, rtoMin);
            failover.dropArpAfterRestore(arpDropMillis);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            if (runner != null) {
                System.out.println("strategy errors: " + runner.errors());
                runner.close();
                clientNs.close();
                Files.deleteIfExists(stateDir.resolve("pm"));
            }
            net.close();
        }
    }

    /** The gap statistics, reported by JMH as secondary metrics. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Result {
        public double p50;
        public double p95;
        public double max;
        public double cuts;
        public double streamsChecked;
        public double idleCuts;
    }

    @Benchmark
    public void failover(Env env, Result result) throws Exception {
        List<Double> gaps = new ArrayList<>();
        int streams = 0;
        int idle = 0;
        while (gaps.size() < env.cuts) {
            int k = Math.min(env.cutsPerStream, env.cuts - gaps.size());
            List<Failover.CutResult> r = env.failover.stream(k, streams == 0);
            streams++;
            for (int i = 0; i < r.size(); i++) {
                Failover.CutResult c = r.get(i);
                gaps.add(c.gapMillis());
                idle += c.path1Idle() ? 1 : 0;
                Map<String, Object> rec = new LinkedHashMap<>();
                rec.put("cut", env.cut.name());
                rec.put("pm", env.pm);
                rec.put("rtoMin", env.rtoMin);
                rec.put("cutMillis", env.cutMillis);
                rec.put("gapMillis", c.gapMillis());
                rec.put("restoreGapMillis", c.restoreGapMillis());
                rec.put("arpDropMillis", env.arpDropMillis);
                rec.put("stream", streams);
                rec.put("cutInStream", i);
                rec.put("path1Idle", c.path1Idle());
                rec.put("initialSentDuringCut", c.initialSentDuringCut());
                rec.put("mib", c.mib());
                rec.put("serverMib", c.serverMib());
                if (c.series() != null) {
                    rec.put("seriesBucketMillis", Stream.BUCKET_MILLIS);
                    rec.put("seriesStartMillis", c.seriesStartOffsetMillis());
                    rec.put("seriesBytes", c.series());
                }
                SideFile.append("FailoverBenchmark", rec);
            }
            System.out.println("stream " + streams + " checked; gaps so far (ms): " + gaps
                    + (env.runner != null ? "; strategy errors " + env.runner.errors() : ""));
        }
        Map<String, Double> p = Failover.percentiles(gaps);
        result.p50 = p.get("p50");
        result.p95 = p.get("p95");
        result.max = p.get("max");
        result.cuts = gaps.size();
        result.streamsChecked = streams;
        result.idleCuts = idle;
    }
}
