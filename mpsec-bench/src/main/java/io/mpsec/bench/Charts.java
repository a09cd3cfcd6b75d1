package io.mpsec.bench;

import static io.mpsec.bench.Sections.num;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The report's charts, written as plain SVG into docs/bench/. */
final class Charts {
    private Charts() {
    }

    /** Bars: all paths / one path per scenario, with the 1.90x target and the path count as the ideal. */
    static void aggregation(Path dir, List<Report.Row> rows) throws IOException {
        double max = 1;
        for (Report.Row r : rows) {
            max = Math.max(max, Math.max(r.v("ratio"), r.p("rates").split("\\+").length));
        }
        Svg s = new Svg(720, 360, "Aggregation: throughput over all paths / over one path").range(0, rows.size(), 0, Math.ceil(max));
        s.axes("paths (Mbit/s each)", "ratio to one path", (int) Math.ceil(max) * 2, false);
        s.hline(1.90, "#d62728", "target 1.90x (2 paths)");
        for (int i = 0; i < rows.size(); i++) {
            Report.Row r = rows.get(i);
            s.bar(i + 0.5, 0.3, r.v("ratio"), Svg.COLORS[0], Report.f("%.2fx", r.v("ratio")));
            s.labelBelow(i + 0.5, r.p("rates"));
        }
        Files.writeString(dir.resolve("aggregation.svg"), s.toString(),
                StandardCharsets.UTF_8);
    }

    /** Every cut's gap as a dot, one row per configuration, with the targets. */
    static void failoverGaps(Path dir, List<Map<String, Object>> side) throws IOException {
        Map<String, List<Double>> by = byConfig(side);
        double max = 100;
        for (List<Double> g : by.values()) {
            for (double v : g) {
                max = Math.max(max, v);
            }
        }
        double top = Math.ceil(max / 100) * 100;
        Svg s = new Svg(860, 120 + 40 * by.size(), "Failover: longest receive gap per cut (ms)").range(0, top, 0, by.size());
        s.axes("gap (ms)", "", 0, false);
        for (int t = 0; t <= 10; t++) {
            s.label(top * t / 10, 0, Svg.num(top * t / 10), "middle");
        }
        s.vline(100, "#2ca02c", "100 ms");
        s.vline(250, "#d62728", "250 ms");
        int row = 0;
        for (Map.Entry<String, List<Double>> e : by.entrySet()) {
            double y = by.size() - row - 0.5;
            String color = Svg.COLORS[row % Svg.COLORS.length];
            for (double g : e.getValue()) {
                s.dot(g, y, color);
            }
            Map<String, Double> p = Failover.percentiles(e.getValue());
            s.label(top * 0.01, y + 0.3, Report.f("%s: p50 %.0f, p95 %.0f, max %.0f", e.getKey(), p.get("p50"), p.get("p95"), p.get("max")), "start");
            row++;
        }
        Files.writeString(dir.resolve("failover-gaps.svg"), s.toString(), StandardCharsets.UTF_8);
    }

    /** Received Mbit/s per 20 ms bucket around the first cut of each link-down configuration's first stream. */
    static void failoverTimeline(Path dir, List<Map<String, Object>> side) throws IOException {
        Map<String, double[]> series = new LinkedHashMap<>();
        double cutMillis = 0;
        double bucket = Stream.BUCKET_MILLIS;
        double start = -500;
        for (Map<String, Object> x : side) {
            // link-down, kernel default rto_min: the three path managers side by side (more lines are unreadable)
            if (x.get("seriesBytes") instanceof List<?> l && !series.containsKey(config(x)) && "LINK_DOWN".equals(x.get("cut"))
                    && num(x.get("rtoMin")) == 0) {
                double[] v = new double[l.size()];
                bucket = num(x.get("seriesBucketMillis"));
                for (int i = 0; i < v.length; i++) {
                    v[i] = num(l.get(i)) * 8 / (bucket / 1000) / 1e6;
                }
                series.put(config(x), v);
                cutMillis = num(x.get("cutMillis"));
                start = num(x.get("seriesStartMillis"));
            }
        }
        int len = series.values().stream().mapToInt(a -> a.length).max().orElse(1);
        Svg s = new Svg(860, 420, "Throughput around a link-down of path 1 (receiver, 20 ms buckets)").range(start, start + len * bucket, 0, 250);
        s.axes("ms from the cut", "Mbit/s", 5, true);
        s.vline(0, "#000", "cut");
        s.vline(cutMillis, "#000", "restore");
        int i = 0;
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            double[] xs = new double[e.getValue().length];
            for (int k = 0; k < xs.length; k++) {
                xs[k] = start + k * bucket;
            }
            String color = Svg.COLORS[i % Svg.COLORS.length];
            s.polyline(xs, e.getValue(), color);
            s.legend(i, color, e.getKey());
            i++;
        }
        Files.writeString(dir.resolve("failover-timeline.svg"), s.toString(), StandardCharsets.UTF_8);
    }

    private static Map<String, List<Double>> byConfig(List<Map<String, Object>> side) {
        Map<String, List<Double>> by = new LinkedHashMap<>();
        for (Map<String, Object> x : side) {
            by.computeIfAbsent(config(x), k -> new ArrayList<>()).add(num(x.get("gapMillis")));
        }
        return by;
    }

    private static String config(Map<String, Object> x) {
        String rto = num(x.get("rtoMin")) > 0 ? ", rto_min " + Svg.num(num(x.get("rtoMin"))) + " ms" : "";
        return x.get("cut") + ", " + Sections.pmName(String.valueOf(x.get("pm"))) + rto;
    }
}
