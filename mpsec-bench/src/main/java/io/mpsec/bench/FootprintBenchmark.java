package io.mpsec.bench;

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
 * Footprint of the agent: the agent process ({@link AgentProcess}: the -all jar, {@code serve}
 * watching the client and server namespaces of a two-path {@link PathNet}, kernel counters sampled every second, no packet
 * capture) while {@code connections} MPTCP connections are open between them ({@link Trickle}) and one
 * dashboard is open ({@link DashboardClient}). The agent must list the connections in
 * {@code /api/v1/connections} before and after the window, else the benchmark fails. After
 * {@code warmSeconds}, it measures over {@code seconds}: {@code rssMb} (largest VmRSS sampled every
 * second, target <= 160 MB), {@code hwmMb} (VmHWM at the end: the peak since the agent started),
 * {@code cpuPercent} (utime + stime over wall time, percent of one core, target < 5%). Per-second
 * samples and the CPU per thread group over the window ({@code cpuPercentByThread}: the agent's
 * threads, the JIT compilers, GC) go to the side file {@code FootprintBenchmark.jsonl}. {@code jvmOptions}: the agent's JVM
 * options ({@code default}: none, as packaged).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1, time = 1, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class FootprintBenchmark {
    static final double MIB = 1024.0;

    /** The testbed, the connections, the agent and the dashboard. */
    @State(Scope.Benchmark)
    public static class Env {
        @Param({"100"})
        public int connections;

        /** Measurement window (s). */
        @Param({"60"})
        public int seconds;

        /** Time after the connections are listed and the dashboard is open, before the window (s). */
        @Param({"10"})
        public int warmSeconds;

        /**
         * JVM options of the agent process, separated by spaces: {@code default} for none (as the
         * packaged launcher runs it unless MPSEC_JAVA_OPTS is set), or e.g. a bounded heap.
         */
        @Param({"default", "-Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"})
        public String jvmOptions;

        PathNet net;
        Trickle trickle;
        AgentProcess agent;
        DashboardClient dashboard;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            if (connections < 1 || seconds < 1 || warmSeconds < 0) {
                throw new IllegalArgumentException("connections and seconds must be >= 1 and warmSeconds >= 0, not "
                        + connections + ", " + seconds + ", " + warmSeconds);
            }
            net = PathNet.create(100, 100);
            net.useExtraPaths(2, false);
            trickle = Trickle.open(net, connections);
            agent = AgentProcess.start(List.of(net.client(), net.server()), jvmOptions(jvmOptions),
                    SideFile.dir().resolve("agent-" + jvmOptions.replaceAll("[^A-Za-z0-9]+", "_") + ".log"));
            dashboard = new DashboardClient(agent.port());
            dashboard.awaitUp(agent, 60_000);
            dashboard.open();
            awaitConnections(this, 30_000);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (AutoCloseable c : new AutoCloseable[] {dashboard, agent, trickle, net}) {
                try {
                    if (c != null) {
                        c.close();
                    }
                } catch (Exception e) {
                    System.err.println("tear-down: " + e);
                }
            }
        }
    }

    /** The figures, reported by JMH as secondary metrics. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Result {
        public double rssMb;
        public double meanRssMb;
        public double hwmMb;
        public double cpuPercent;
        public double connectionsListed;
        public double streamEvents;
        public double snapshots;
    }

    @Benchmark
    public void footprint(Env env, Result result) throws Exception {
        PathNet.sleep(env.warmSeconds * 1000L);
        AgentProcess a = env.agent;
        long events0 = env.dashboard.streamEvents();
        long snaps0 = env.dashboard.snapshots();
        double cpu0 = a.cpuSeconds();
        Map<String, Double> threads0 = a.cpuSecondsByThread();
        long t0 = System.nanoTime();
        List<Long> rss = new ArrayList<>();
        List<Double> cpuPerSecond = new ArrayList<>();
        double lastCpu = cpu0;
        for (int i = 1; i <= env.seconds; i++) {
            long next = t0 + i * 1_000_000_000L;
            PathNet.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000L));
            if (!a.alive()) {
                throw new IllegalStateException("the agent exited during the window:\n" + a.logTail());
            }
            rss.add(a.statusKb("VmRSS"));
            double c = a.cpuSeconds();
            cpuPerSecond.add(100 * (c - lastCpu));
            lastCpu = c;
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = 100 * (a.cpuSeconds() - cpu0) / wall;
        Map<String, Double> byThread = cpuPercentByThread(threads0, a.cpuSecondsByThread(), wall);
        long hwm = a.statusKb("VmHWM");
        long threads = a.threads();
        long events = env.dashboard.streamEvents() - events0;
        long snaps = env.dashboard.snapshots() - snaps0;
        Map<String, Long> listed = awaitConnections(env, 10_000);
        env.trickle.check();
        if (events == 0 || snaps == 0) {
            throw new IllegalStateException("the dashboard was not served during the window: " + events + " stream events, " + snaps
                    + " snapshots (" + env.dashboard.snapshotErrors() + " failed)");
        }
        result.rssMb = rss.stream().mapToLong(Long::longValue).max().orElse(0) / MIB;
        result.meanRssMb = rss.stream().mapToLong(Long::longValue).average().orElse(0) / MIB;
        result.hwmMb = hwm / MIB;
        result.cpuPercent = cpu;
        result.connectionsListed = listed.getOrDefault(env.net.client(), 0L);
        result.streamEvents = events;
        result.snapshots = snaps;
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("connections", env.connections);
        rec.put("paths", env.net.paths());
        rec.put("seconds", env.seconds);
        rec.put("warmSeconds", env.warmSeconds);
        rec.put("jvmOptions", env.jvmOptions);
        rec.put("wallSeconds", wall);
        rec.put("rssMb", result.rssMb);
        rec.put("meanRssMb", result.meanRssMb);
        rec.put("hwmMb", result.hwmMb);
        rec.put("cpuPercent", cpu);
        rec.put("threads", threads);
        rec.put("cpuPercentByThread", byThread);
        rec.put("listedClient", listed.getOrDefault(env.net.client(), 0L));
        rec.put("listedServer", listed.getOrDefault(env.net.server(), 0L));
        rec.put("streamEvents", events);
        rec.put("streamBytes", env.dashboard.streamBytes());
        rec.put("snapshots", snaps);
        rec.put("snapshotErrors", env.dashboard.snapshotErrors());
        rec.put("systemPolls", env.dashboard.systemPolls());
        rec.put("trickleBytes", env.trickle.read());
        rec.put("rssKbPerSecond", rss);
        rec.put("cpuPercentPerSecond", cpuPerSecond);
        rec.put("agentCommand", a.command().replaceAll("mpsec-\\d+-[0-9a-f]+-", "mpsec-PID-RND-"));
        SideFile.append("FootprintBenchmark", rec);
        System.out.println("footprint: " + rec);
    }

    /**
     * Percent of one core per thread group over {@code wall} seconds, largest first, groups under
     * 0.05% left out (where the agent's CPU goes: its own threads, the JIT compilers, GC).
     */
    static Map<String, Double> cpuPercentByThread(Map<String, Double> before, Map<String, Double> after, double wall) {
        Map<String, Double> out = new LinkedHashMap<>();
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), 100 * (e.getValue() - before.getOrDefault(e.getKey(), 0.0)) / wall))
                .filter(e -> e.getValue() >= 0.05)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> out.put(e.getKey(), Math.round(e.getValue() * 100) / 100.0));
        return out;
    }

    /** The JVM options of {@code param} ({@code default}: none). */
    static List<String> jvmOptions(String param) {
        String p = param.strip();
        return p.isEmpty() || p.equals("default") ? List.of() : List.of(p.split("\\s+"));
    }

    /**
     * Waits until the agent lists at least {@code connections} connections in both namespaces and
     * returns the counts; fails, with what it listed, after {@code timeoutMillis}.
     */
    static Map<String, Long> awaitConnections(Env env, long timeoutMillis) throws Exception {
        long end = System.currentTimeMillis() + timeoutMillis;
        Map<String, Long> per = Map.of();
        while (System.currentTimeMillis() < end) {
            per = env.dashboard.connectionsPerNamespace();
            if (per.getOrDefault(env.net.client(), 0L) >= env.connections && per.getOrDefault(env.net.server(), 0L) >= env.connections) {
                return per;
            }
            PathNet.sleep(500);
        }
        throw new IllegalStateException("the agent does not watch the " + env.connections + " open MPTCP connections: /api/v1/connections lists "
                + per + " (want >= " + env.connections + " in " + env.net.client() + " and in " + env.net.server()
                + "); the footprint of an agent that does not see them would be meaningless\n" + env.agent.logTail());
    }
}
