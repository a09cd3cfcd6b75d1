package io.mpsec.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * The benchmark suite behind {@code ./mpsec bench}: each run is one JMH invocation of one benchmark
 * with its parameters, writing JMH's JSON ({@code -rf json}), the benchmark's side file and the exact
 * command into {@code <results>/<run>/}; then {@link Report} writes docs/BENCHMARKS.md and the charts
 * from every run directory present. {@code ./mpsec bench} keeps the results in {@code docs/bench/results},
 * under version control, so that rerunning one benchmark replaces its own run and the report still
 * shows every other run's published figures. A run that fails (an exception in a benchmark, a failed share
 * check) fails the suite.
 *
 * <pre>
 * java -cp benchmarks.jar io.mpsec.bench.Suite RESULTS DOCS [--smoke] [NAME [JMH-ARGS...]]
 * </pre>
 * NAME selects the runs whose name or benchmark contains it (e.g. {@code Failover}); JMH-ARGS are
 * added to those runs' JMH command line (e.g. {@code -p cuts=10}). After the JMH runs, the kernel-lane
 * run {@code IpsecLane} ({@link LaneRun}: SAs, ESP, netem, in a qemu guest, about 6-8 minutes) runs when
 * NAME is absent or part of its name. {@code --smoke} runs every
 * benchmark briefly with small sizes into RESULTS (for CI) and writes no report.
 */
public final class Suite {
    /** One JMH invocation: a name for its results directory, the benchmark, its parameters. */
    record Run(String name, String benchmark, List<String> args, List<String> smokeArgs) {
        String regex() {
            return "io\\.mpsec\\.bench\\." + benchmark + "\\.";
        }
    }

    /**
     * The full suite (about 55 minutes on the quiet 2-core build machine: failover about 14, fairness 14, the kernel lane 6, data path,
     * aggregation with each coupled congestion control and aggregation about 4 each) and, per run, the smoke
     * parameters: every benchmark class and code path (both cuts, both strategies' set-up, the default
     * PM, rto_min, the agent's footprint with 5 connections) once with small sizes, about 2-3 minutes in all.
     */
    static final List<Run> RUNS = List.of(
            new Run("AggregationBenchmark", "AggregationBenchmark", List.of(),
                    List.of("-p", "rates=100+100", "-p", "rounds=1", "-p", "seconds=1.5")),
            new Run("CoupledAggregationBenchmark", "CoupledAggregationBenchmark", List.of(),
                    List.of("-p", "cc=mpsec_lia", "-p", "rounds=1", "-p", "seconds=1.5")),
            new Run("UnbalancedBenchmark", "UnbalancedBenchmark", List.of(),
                    List.of("-p", "rounds=1", "-p", "seconds=1.5")),
            // the smoke keeps 7 s after the cut: settling needs 4 quiet seconds, and Reno's sawtooth on the cut path takes about 3.5 s
            new Run("ResponsivenessBenchmark", "ResponsivenessBenchmark", List.of(), List.of("-p", "algorithm=mpsec_olia,reno", "-p", "runs=1", "-p", "warmSeconds=2", "-p", "afterSeconds=7")),
            // the 50 cuts per cut kind for the default PM and the backup strategy; the two controls (the
            // strategy without blackhole detection, a priority swap alone) with 20, to keep the suite under 60 minutes
            new Run("FailoverBenchmark", "FailoverBenchmark", List.of("-p", "pm=DEFAULT,BACKUP"),
                    List.of("-p", "pm=BACKUP", "-p", "cuts=1", "-p", "cutsPerStream=1", "-p", "cutMillis=500")),
            new Run("FailoverControls", "FailoverBenchmark", List.of("-p", "pm=BACKUP_LINK_ONLY,BACKUP_SWAP_ONLY", "-p", "cuts=20"),
                    List.of("-p", "pm=BACKUP_LINK_ONLY", "-p", "cut=BLACKHOLE", "-p", "cuts=1", "-p", "cutsPerStream=1", "-p", "cutMillis=500")),
            new Run("FailoverRtoMin", "FailoverBenchmark", List.of("-p", "pm=DEFAULT", "-p", "rtoMin=50"),
                    List.of("-p", "pm=DEFAULT", "-p", "rtoMin=50", "-p", "cut=LINK_DOWN", "-p", "cuts=1", "-p", "cutsPerStream=1",
                            "-p", "cutMillis=500")),
            new Run("RtoMinCostBenchmark", "RtoMinCostBenchmark", List.of(),
                    List.of("-p", "rtoMin=50", "-p", "rounds=1", "-p", "seconds=3", "-p", "burstEverySeconds=2")),
            new Run("ControlPlaneBenchmark", "ControlPlaneBenchmark", List.of(),
                    List.of("-p", "rounds=2", "-p", "cycles=10")),
            new Run("DataPathBenchmark", "DataPathBenchmark", List.of(),
                    List.of("-p", "direction=SEND", "-p", "pairs=1", "-p", "seconds=2")),
            new Run("FootprintBenchmark", "FootprintBenchmark", List.of(),
                    List.of("-p", "connections=5", "-p", "seconds=5", "-p", "warmSeconds=1", "-p", "jvmOptions=-Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1")),
            // 3 runs of 30 s (the benchmark's default is the 5: -p runs=5) keep the suite under 60 minutes
            new Run("FairnessBenchmark", "FairnessBenchmark", List.of("-p", "runs=3"), List.of("-p", "competitor=reno", "-p", "algorithms=lia", "-p", "runs=1", "-p", "seconds=5", "-p", "warmSeconds=3")),
            new Run("VirtualThreadsBenchmark", "VirtualThreadsBenchmark", List.of(),
                    List.of("-p", "socket=mpsec", "-p", "connections=200", "-p", "warmSeconds=1", "-p", "seconds=2")));

    private Suite() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Suite RESULTS DOCS [--smoke] [NAME [JMH-ARGS...]]");
            System.exit(2);
        }
        Path results = Path.of(args[0]);
        Path docs = Path.of(args[1]);
        List<String> rest = new ArrayList<>(Arrays.asList(args).subList(2, args.length));
        boolean smoke = rest.remove("--smoke");
        String name = rest.isEmpty() || rest.get(0).startsWith("-") ? null : rest.remove(0);
        List<Run> selected = select(name);
        boolean lane = LaneRun.selected(name);
        if (selected.isEmpty() && !lane) {
            System.err.println("no benchmark run matches '" + name + "'; the runs are: "
                    + RUNS.stream().map(Run::name).toList() + " and the kernel-lane run " + LaneRun.NAME);
            System.exit(2);
        }
        run(results, selected, smoke, rest);
        if (lane) {
            if (!rest.isEmpty() && name != null && selected.isEmpty()) {
                System.err.println("[bench] " + LaneRun.NAME + " takes no JMH arguments; ignoring " + rest);
            }
            LaneRun.run(results, smoke);
        }
        if (!smoke) {
            Report.write(results, docs);
            System.out.println("wrote " + docs.resolve("BENCHMARKS.md") + " and the charts in " + docs.resolve("bench"));
        }
    }

    static List<Run> select(String name) {
        return RUNS.stream().filter(r -> name == null || r.name().contains(name) || r.benchmark().contains(name)).toList();
    }

    /** Runs {@code runs} one after the other into {@code results/<run>}; the first failure stops and throws. */
    /**
     * A run's own arguments without the {@code -p key=...} pairs whose key {@code extra} sets again:
     * JMH takes the first value given for a parameter, so {@code ./mpsec bench FairnessBenchmark -p runs=5}
     * would otherwise still run the suite's 3.
     */
    static List<String> overridden(List<String> own, List<String> extra) {
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (int i = 0; i + 1 < extra.size(); i++) {
            if (extra.get(i).equals("-p") && extra.get(i + 1).contains("=")) {
                keys.add(extra.get(i + 1).substring(0, extra.get(i + 1).indexOf('=')));
            }
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < own.size(); i++) {
            if (own.get(i).equals("-p") && i + 1 < own.size() && own.get(i + 1).contains("=")
                    && keys.contains(own.get(i + 1).substring(0, own.get(i + 1).indexOf('=')))) {
                i++;
                continue;
            }
            out.add(own.get(i));
        }
        return out;
    }

    public static void run(Path results, List<Run> runs, boolean smoke, List<String> extra)
            throws IOException, RunnerException, org.openjdk.jmh.runner.options.CommandLineOptionException {
        for (Run r : runs) {
            Path dir = results.resolve(r.name());
            if (Files.exists(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.delete(f);
                    }
                }
            }
            Files.createDirectories(dir);
            List<String> own = overridden(smoke ? r.smokeArgs() : r.args(), extra);
            List<String> jmh = new ArrayList<>();
            jmh.add(r.regex());
            jmh.addAll(own);
            jmh.addAll(extra);
            if (smoke) {
                jmh.addAll(List.of("-f", "1"));
            }
            List<String> command = new ArrayList<>(List.of("./mpsec", "bench", r.name()));
            command.addAll(own);
            command.addAll(extra);
            Map<String, String> facts = machine();
            facts.put("command", String.join(" ", command));
            facts.put("started", java.time.Instant.now().toString());
            jmh.addAll(List.of("-rf", "json", "-rff", dir.resolve("jmh.json").toString(), "-foe", "true",
                    "-jvmArgsAppend", "-Dmpsec.bench.dir=" + dir));
            System.out.println("[bench] " + r.name() + ": " + String.join(" ", jmh));
            System.setProperty("mpsec.bench.dir", dir.toString());
            long t0 = System.nanoTime();
            var result = new Runner(new CommandLineOptions(jmh.toArray(new String[0]))).run();
            if (result.isEmpty()) {
                throw new RunnerException(r.name() + " produced no result: the benchmark failed (see its output above)");
            }
            facts.put("seconds", String.format("%.0f", (System.nanoTime() - t0) / 1e9));
            facts.put("loadAfter", loadAverage());
            Files.writeString(dir.resolve("run.json"), SideFile.JSON.writeValueAsString(facts), StandardCharsets.UTF_8);
        }
    }

    /** Kernel, CPU count, JDK, load average: what the report states about the machine. */
    static Map<String, String> machine() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kernel", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("cpus", String.valueOf(Runtime.getRuntime().availableProcessors()));
        m.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("loadBefore", loadAverage());
        return m;
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
