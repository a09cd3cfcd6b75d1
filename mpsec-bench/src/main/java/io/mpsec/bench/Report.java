package io.mpsec.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes docs/BENCHMARKS.md and the charts in docs/bench/ from a results directory of
 * {@link Suite}: per run, JMH's JSON ({@code jmh.json}), the side files and {@code run.json} (machine,
 * command, timing). Every figure comes from those files; the text around a missed target quotes the
 * measurements that explain it (subflow counts, shares, retransmissions, RTT, cwnd, CPU).
 */
public final class Report {
    /** One JMH result row: benchmark (simple class name), parameters, secondary results. */
    record Row(String benchmark, Map<String, String> params, Map<String, Double> values) {
        double v(String name) {
            return values.getOrDefault(name, Double.NaN);
        }

        String p(String name) {
            return params.getOrDefault(name, "");
        }
    }

    /** A run directory's content. */
    record RunData(String name, Path dir, Map<String, Object> facts, List<Row> rows) {
        String command(Row row) {
            StringBuilder b = new StringBuilder("./mpsec bench " + name);
            row.params().forEach((k, v) -> b.append(" -p ").append(v.contains(" ") ? "'" + k + '=' + v + "'" : k + '=' + v));
            return "`" + b + "`";
        }

        List<Map<String, Object>> side(String benchmark) throws IOException {
            return SideFile.read(dir, benchmark);
        }
    }

    private Report() {
    }

    public static void main(String[] args) throws IOException {
        write(Path.of(args[0]), Path.of(args[1]));
    }

    /** Reads every run under {@code results} and writes {@code docs/BENCHMARKS.md} and {@code docs/bench/*.svg}. */
    public static void write(Path results, Path docs) throws IOException {
        List<RunData> runs = new ArrayList<>();
        for (Suite.Run r : Suite.RUNS) {
            Path dir = results.resolve(r.name());
            if (Files.exists(dir.resolve("jmh.json")) && Files.exists(dir.resolve("run.json"))) {
                runs.add(load(r.name(), dir));
            }
        }
        Files.createDirectories(docs.resolve("bench"));
        StringBuilder md = new StringBuilder();
        Sections s = new Sections(md, runs, docs.resolve("bench"));
        s.lane(LaneSection.load(results));
        s.header();
        s.summary();
        s.aggregation();
        s.unbalanced();
        s.failover();
        RtoMinCostSection.write(md, runs);
        s.controlPlane();
        s.dataPath();
        s.footprint();
        s.virtualThreads();
        s.coupledAggregation();
        FairnessSection.write(md, runs);
        ResponsivenessSection.write(md, runs);
        s.laneSection();
        Files.writeString(docs.resolve("BENCHMARKS.md"), md.toString(), StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    static RunData load(String name, Path dir) throws IOException {
        Map<String, Object> facts = SideFile.JSON.readValue(dir.resolve("run.json").toFile(), Map.class);
        List<Map<String, Object>> json = SideFile.JSON.readValue(dir.resolve("jmh.json").toFile(), List.class);
        List<Row> rows = new ArrayList<>();
        for (Map<String, Object> j : json) {
            String bench = (String) j.get("benchmark");
            String simple = bench.substring(0, bench.lastIndexOf('.'));
            simple = simple.substring(simple.lastIndexOf('.') + 1);
            Map<String, String> params = new LinkedHashMap<>();
            Object p = j.get("params");
            if (p instanceof Map<?, ?> m) {
                m.forEach((k, v) -> params.put(String.valueOf(k), String.valueOf(v)));
            }
            Map<String, Double> values = new LinkedHashMap<>();
            Object sec = j.get("secondaryMetrics");
            if (sec instanceof Map<?, ?> m) {
                m.forEach((k, v) -> values.put(String.valueOf(k), ((Number) ((Map<String, Object>) v).get("score")).doubleValue()));
            }
            rows.add(new Row(simple, params, values));
        }
        return new RunData(name, dir, facts, rows);
    }

    static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    static String met(boolean ok) {
        return ok ? "**met**" : "**missed**";
    }
}
