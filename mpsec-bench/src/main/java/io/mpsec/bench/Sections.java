package io.mpsec.bench;

import static io.mpsec.bench.Report.f;
import static io.mpsec.bench.Report.met;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The sections of docs/BENCHMARKS.md, each from its runs' JMH rows and side files. */
final class Sections {
    /** The footprint target, 160 MB (10^6 bytes), in MiB as /proc reports kB (KiB). */
    static final double FOOTPRINT_RSS_MIB = 160e6 / (1 << 20);

    private final StringBuilder md;
    private final List<Report.RunData> runs;
    private final Path charts;
    private LaneSection lane;

    Sections(StringBuilder md, List<Report.RunData> runs, Path charts) {
        this.md = md;
        this.runs = runs;
        this.charts = charts;
    }

    /** The kernel-lane figures ({@link LaneRun}), or null when that run has no results. */
    void lane(LaneSection l) {
        lane = l;
    }

    void laneSection() {
        if (lane != null) {
            lane.section(md);
        }
    }

    private List<Report.RunData> of(String benchmark) {
        return runs.stream().filter(r -> r.rows().stream().anyMatch(x -> x.benchmark().equals(benchmark))).toList();
    }

    void header() {
        md.append("# MPSec benchmarks\n\n");
        md.append("Written by `./mpsec bench` (`io.mpsec.bench.Report`) from JMH's JSON results and the benchmarks' side files, kept in [bench/results](bench/results); ")
                .append("do not edit by hand: run `./mpsec bench` (all, under 60 minutes) or `./mpsec bench NAME` (one run; the other runs' results stay) again. ")
                .append("Every figure is a ratio of two measurements taken in the same run on the same testbed ")
                .append("(network namespaces joined by veth paths limited by HTB, addresses in 198.18.0.0/15), because the machine is shared.\n\n");
        md.append("## Machine and runs\n\n| run | date (UTC) | duration | kernel | CPUs | JDK | load average before / after |\n|---|---|---|---|---|---|---|\n");
        double maxLoad = 0;
        int cpus = 1;
        for (Report.RunData r : runs) {
            Map<String, Object> m = r.facts();
            md.append(f("| %s | %s | %s s | %s | %s | %s | %s / %s |\n", r.name(), m.get("started"), m.get("seconds"), m.get("kernel"),
                    m.get("cpus"), m.get("jdk"), first3(m.get("loadBefore")), first3(m.get("loadAfter"))));
            maxLoad = Math.max(maxLoad, load1(m.get("loadBefore")));
            maxLoad = Math.max(maxLoad, load1(m.get("loadAfter")));
            cpus = Integer.parseInt(String.valueOf(m.get("cpus")));
        }
        if (lane != null) {
            lane.machineRow(md);
        }
        // a run's own work (and the one before it) shows in these figures; only well above the CPU count was other work competing
        if (maxLoad > cpus * 2) {
            md.append(f("\n**Other work loaded the machine during these runs** (1-minute load average up to %.1f on %d CPUs, ", maxLoad, cpus))
                    .append("from other builds and tests sharing it): absolute rates are lower and noisier than on an idle machine; ")
                    .append("the ratios compare measurements taken back to back under the same load.\n");
        } else {
            md.append(f("\nThe 1-minute load average stayed at or below %.1f on %d CPUs (before and after each run above; a run's own work ", maxLoad, cpus))
                    .append("and the tail of the run before it count in it).\n");
        }
        md.append('\n');
    }

    void summary() {
        md.append("## Targets\n\n| figure | target | measured | result |\n|---|---|---|---|\n");
        for (Report.RunData r : of("AggregationBenchmark")) {
            for (Report.Row row : r.rows()) {
                if (row.p("rates").equals("100+100")) {
                    md.append(f("| aggregation, 2 x 100 Mbit/s vs 1 path | >= 1.90x | %.3fx | %s |\n", row.v("ratio"), met(row.v("ratio") >= 1.90)));
                }
            }
        }
        CoupledAggregationSection.targets(md, of("CoupledAggregationBenchmark"));
        for (Report.RunData r : of("UnbalancedBenchmark")) {
            for (Report.Row row : r.rows()) {
                md.append(f("| unbalanced %s Mbit/s, fraction of the sum | >= 0.90 | %.3f | %s |\n", row.p("rates"), row.v("fractionOfSum"),
                        met(row.v("fractionOfSum") >= 0.90)));
            }
        }
        for (Report.RunData r : of("FailoverBenchmark")) {
            for (Report.Row row : r.rows()) {
                if (row.p("cut").equals("LINK_DOWN") && row.p("rtoMin").equals("0") && (row.p("pm").equals("BACKUP") || row.p("pm").equals("DEFAULT"))) {
                    double target = row.p("pm").equals("BACKUP") ? 100 : 250;
                    md.append(f("| failover link-down, %s, longest gap (max of %.0f cuts) | <= %.0f ms | %.0f ms | %s |\n", pmName(row.p("pm")),
                            row.v("cuts"), target, row.v("max"), met(row.v("max") <= target)));
                }
            }
        }
        for (Report.RunData r : of("ControlPlaneBenchmark")) {
            for (Report.Row row : r.rows()) {
                md.append(f("| endpoint add+delete, MPSec / ip -batch | >= 1.0 | %.2f | %s |\n", row.v("ratio"), met(row.v("ratio") >= 1.0)));
            }
        }
        for (Report.RunData r : of("DataPathBenchmark")) {
            for (Report.Row row : r.rows()) {
                md.append(f("| data path %s, bytes per CPU-second MPSec / C | >= 0.90 | %.3f (both processes %.3f) | %s |\n", row.p("direction"),
                        row.v("ratio"), row.v("pairRatio"), met(row.v("ratio") >= 0.90)));
                if (!Double.isNaN(row.v("jdkRatio"))) {
                    md.append(f("| data path %s, a JDK socket under `mptcpize` / C (reported beside them) | - | %.3f (both processes %.3f) | - |\n",
                            row.p("direction"), row.v("jdkRatio"), row.v("jdkPairRatio")));
                }
                if (!Double.isNaN(row.v("nettyRatio"))) {
                    md.append(f("| data path %s, a Netty application on MPSec's `MptcpChannels` / C (reported beside them) | - | %.3f (both processes %.3f) | - |\n",
                            row.p("direction"), row.v("nettyRatio"), row.v("nettyPairRatio")));
                }
            }
        }
        for (Report.RunData r : of("FootprintBenchmark")) {
            for (Report.Row row : r.rows()) {
                md.append(f("| agent footprint, %s MPTCP connections + 1 dashboard, JVM options `%s`, peak RSS (VmHWM) | <= 160 MB (%.1f MiB) | %.1f MiB | %s |\n",
                        row.p("connections"), row.p("jvmOptions"), FOOTPRINT_RSS_MIB, row.v("hwmMb"), met(row.v("hwmMb") <= FOOTPRINT_RSS_MIB)));
                md.append(f("| agent footprint, %s MPTCP connections + 1 dashboard, JVM options `%s`, CPU over %s s | < 5%% of one core | %.2f%% | %s |\n",
                        row.p("connections"), row.p("jvmOptions"), row.p("seconds"), row.v("cpuPercent"), met(row.v("cpuPercent") < 5)));
            }
        }
        if (lane != null) {
            lane.targets(md);
        }
        md.append('\n');
    }

    void aggregation() throws IOException {
        List<Report.RunData> rs = of("AggregationBenchmark");
        if (rs.isEmpty()) {
            return;
        }
        md.append("## Aggregation\n\n`MpsecSocket` over all paths against the same transfer over path 1 alone, back to back in each round. ")
                .append("The benchmark fails unless every path carried at least 0.8/n of the bytes (40% for two paths), counted by the HTB classes (`tc -s class`).\n\n")
                .append("![aggregation](bench/aggregation.svg)\n\n")
                .append("| paths (Mbit/s) | 1 path Mbit/s | all paths Mbit/s | ratio | fraction of the sum | smallest path share | command |\n|---|---|---|---|---|---|---|\n");
        List<Report.Row> rows = new ArrayList<>();
        for (Report.RunData r : rs) {
            for (Report.Row row : r.rows()) {
                rows.add(row);
                md.append(f("| %s | %.1f | %.1f | %.3fx | %.3f | %.1f%% | %s |\n", row.p("rates"), row.v("onePathMbit"), row.v("allPathsMbit"),
                        row.v("ratio"), row.v("fractionOfSum"), 100 * row.v("minShare"), r.command(row)));
            }
            evidence(r.side("AggregationBenchmark"));
        }
        Charts.aggregation(charts, rows);
    }

    /** Per-scenario medians of what explains a figure: subflows, shares, retransmissions, CPU, RTT/cwnd. */
    @SuppressWarnings("unchecked")
    private void evidence(List<Map<String, Object>> side) {
        Map<String, List<Map<String, Object>>> by = new TreeMap<>();
        side.forEach(x -> by.computeIfAbsent(String.valueOf(x.get("rates")), k -> new ArrayList<>()).add(x));
        md.append("\nMeasured with each round (multipath transfer; medians over rounds, MIB counters summed):\n\n")
                .append("| paths | rounds | subflows in use | bytes per path (HTB) | MPTCP retransmits | CPU busy (all CPUs) | subflow RTT ms / cwnd | MIB counters that moved |\n|---|---|---|---|---|---|---|---|\n");
        by.forEach((rates, recs) -> {
            Map<String, Long> mib = new TreeMap<>();
            List<Double> cpu = new ArrayList<>();
            List<Double> retr = new ArrayList<>();
            List<Double> inUse = new ArrayList<>();
            for (Map<String, Object> x : recs) {
                ((Map<String, Number>) x.getOrDefault("mib", Map.of())).forEach((k, v) -> mib.merge(k, v.longValue(), Long::sum));
                cpu.add(num(x.get("cpuBusy")));
                retr.add(num(x.get("mptcpRetransmits")));
                inUse.add(num(x.get("pathsInUse")));
            }
            Map<String, Object> last = recs.get(recs.size() - 1);
            StringBuilder sf = new StringBuilder();
            for (Map<String, Object> s : (List<Map<String, Object>>) last.getOrDefault("subflows", List.of())) {
                sf.append(f("%s: %.1f / %s; ", s.get("local"), num(s.get("rttMicros")) / 1000, s.get("cwnd")));
            }
            StringBuilder shares = new StringBuilder();
            for (Object v : (List<Object>) last.getOrDefault("shares", List.of())) {
                shares.append(f("%.1f%% ", 100 * num(v)));
            }
            md.append(f("| %s | %d | %.0f | %s(last round) | %.0f | %.0f%% | %s(last round) | %s |\n", rates, recs.size(),
                    EfficiencyMain.median(inUse), shares, EfficiencyMain.median(retr), 100 * EfficiencyMain.median(cpu), sf, mib));
        });
        md.append('\n');
    }

    void unbalanced() throws IOException {
        List<Report.RunData> rs = of("UnbalancedBenchmark");
        if (rs.isEmpty()) {
            return;
        }
        md.append("## Unbalanced paths\n\nThroughput over 100 + 25 Mbit/s paths as a fraction of the sum of what each path carried alone in the same round. ")
                .append("Delay asymmetry (5 ms vs 50 ms) needs netem, which this host lacks; it is not measured here.\n\n")
                .append("| paths (Mbit/s) | each path alone Mbit/s | both Mbit/s | fraction of the sum | target | command |\n|---|---|---|---|---|---|\n");
        for (Report.RunData r : rs) {
            List<Map<String, Object>> side = r.side("UnbalancedBenchmark");
            for (Report.Row row : r.rows()) {
                StringBuilder alone = new StringBuilder();
                if (!side.isEmpty() && side.get(side.size() - 1).get("aloneMbit") instanceof List<?> l) {
                    l.forEach(v -> alone.append(alone.length() == 0 ? "" : " + ").append(f("%.1f", num(v))));
                }
                md.append(f("| %s | %s (last round) | %.1f | %.3f | >= 0.90: %s | %s |\n", row.p("rates"), alone, row.v("allPathsMbit"),
                        row.v("fractionOfSum"), met(row.v("fractionOfSum") >= 0.90), r.command(row)));
            }
            evidence(side);
            Explain.unbalanced(md, side);
        }
    }

    void failover() throws IOException {
        List<Report.RunData> rs = of("FailoverBenchmark");
        if (rs.isEmpty()) {
            return;
        }
        md.append("## Failover\n\nPath 1 of two 100 Mbit/s paths is cut while a stream runs, then restored; the figure is the receiver's longest pause ")
                .append("overlapping each cut. Every stream is checked at its end: same byte count and CRC-32 on both sides, no reset. ")
                .append("Link-down: the client's device goes down. Blackhole: nft drops the path's packets at the server; nobody is told. ")
                .append("Default PM: the in-kernel path manager, both paths active. Backup: MPSec's `Backup` strategy, path 2 on standby.\n\n")
                .append("![failover gaps](bench/failover-gaps.svg)\n\n![throughput around a cut](bench/failover-timeline.svg)\n\n")
                .append("| cut | path manager | rto_min | cuts | p50 ms | p95 ms | max ms | target | streams checked | command |\n|---|---|---|---|---|---|---|---|---|---|\n");
        List<Map<String, Object>> all = new ArrayList<>();
        for (Report.RunData r : rs) {
            for (Report.Row row : r.rows()) {
                String target = "";
                if (row.p("cut").equals("LINK_DOWN") && row.p("rtoMin").equals("0") && (row.p("pm").equals("BACKUP") || row.p("pm").equals("DEFAULT"))) {
                    double t = row.p("pm").equals("BACKUP") ? 100 : 250;
                    target = f("<= %.0f ms: %s", t, met(row.v("max") <= t));
                }
                md.append(f("| %s | %s | %s | %.0f | %.0f | %.0f | %.0f | %s | %.0f | %s |\n", row.p("cut"), pmName(row.p("pm")),
                        row.p("rtoMin").equals("0") ? "default (200 ms)" : row.p("rtoMin") + " ms", row.v("cuts"), row.v("p50"),
                        row.v("p95"), row.v("max"), target, row.v("streamsChecked"), r.command(row)));
            }
            all.addAll(r.side("FailoverBenchmark"));
        }
        md.append('\n');
        Explain.failover(md, all);
        Charts.failoverGaps(charts, all);
        Charts.failoverTimeline(charts, all);
    }

    void controlPlane() throws IOException {
        List<Report.RunData> rs = of("ControlPlaneBenchmark");
        if (rs.isEmpty()) {
            return;
        }
        md.append("## Control plane\n\nMPTCP endpoint add + delete pairs per second in a fresh namespace: MPSec's `MptcpPathManager` (one netlink request ")
                .append("and acknowledgement per operation) against `ip -batch` with the same operations (its time includes starting the process). ")
                .append("SA add + delete needs ESP, which only the kernel lane has: not measured here.\n\n")
                .append("| operations per run | MPSec pairs/s | ip -batch pairs/s | ratio (median of rounds) | target | command |\n|---|---|---|---|---|---|\n");
        for (Report.RunData r : rs) {
            for (Report.Row row : r.rows()) {
                md.append(f("| %s x %s | %.0f | %.0f | %.2f | >= 1.0: %s | %s |\n", row.p("cycles"), row.p("endpoints"), row.v("mpsecPerSecond"),
                        row.v("ipBatchPerSecond"), row.v("ratio"), met(row.v("ratio") >= 1.0), r.command(row)));
            }
            Explain.controlPlane(md, r.side("ControlPlaneBenchmark"));
        }
    }

    void dataPath() {
        List<Report.RunData> rs = of("DataPathBenchmark");
        if (rs.isEmpty()) {
            return;
        }
        md.append("## Data path\n\nBytes per CPU-second of the whole process, `MpsecSocket` against a C program doing blocking `write(2)`/`read(2)` ")
                .append("of 128 KiB, on an unshaped veth (MPTCP, reno), medians of clean pairs. Transfers that hit the kernel's stall mode ")
                .append("(about 200 ms stalls, see [kernel-notes/mptcp-veth-stall.md](kernel-notes/mptcp-veth-stall.md), with a reproducer) are not compared; they are counted.\n\n")
                .append("The JDK column is a plain `java.net.Socket` program doing the same (`JdkPeer`), run as its own JVM under ")
                .append("`mptcpize run java ...` (LD_PRELOAD turns its TCP sockets into MPTCP; the C peer's MPTCP_INFO confirms no fallback), ")
                .append("measured the same way in the same pairs: the JDK's own data path on the same connection. ")
                .append("The Netty column is the same program as a Netty application (`NettyPeer`: one epoll event loop, MPSec's `MptcpChannels`, ")
                .append("a 128 KiB direct buffer written while the channel is writable, 128 KiB reads), its own JVM, warmed up on loopback before it is measured, in the same pairs.\n\n")
                .append("| direction | MPSec / C (side under test) | both processes | JDK under mptcpize / C | JDK, both processes | Netty / C | Netty, both processes "
                        + "| MPSec Gbit/CPU-s | C Gbit/CPU-s | JDK Gbit/CPU-s | Netty Gbit/CPU-s | stalled transfers | command |\n"
                        + "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Report.RunData r : rs) {
            for (Report.Row row : r.rows()) {
                md.append(f("| %s | %.3f | %.3f | %s | %s | %s | %s | %.2f | %.2f | %s | %s | %.0f | %s |\n", row.p("direction"), row.v("ratio"),
                        row.v("pairRatio"), optional(row, "jdkRatio", "%.3f"), optional(row, "jdkPairRatio", "%.3f"),
                        optional(row, "nettyRatio", "%.3f"), optional(row, "nettyPairRatio", "%.3f"),
                        row.v("mpsecGbitPerCpuSecond"), row.v("cGbitPerCpuSecond"), optional(row, "jdkGbitPerCpuSecond", "%.2f"),
                        optional(row, "nettyGbitPerCpuSecond", "%.2f"), row.v("stalledRuns"), r.command(row)));
            }
        }
        md.append("\nThe side-under-test ratio counts only the MPSec process's CPU; the kernel charges much of the network work ")
                .append("(softirqs) to whichever process happens to run, so CPU moves between sender and receiver from run to run. ")
                .append("Where the side-under-test ratio misses 0.90 but the both-processes ratio (same C peer in both transfers) does not, ")
                .append("that accounting rather than MPSec's own code is the likely difference; the JVM's user-space share is printed per transfer in ")
                .append("the benchmark's output (`user ... ms/GB`).\n");
        md.append('\n');
    }

    /** A JDK or Netty column's value, or "-" when the run had no such peer (jdk/netty=false, or results from before the column). */
    private static String optional(Report.Row row, String key, String format) {
        return !Double.isNaN(row.v(key)) ? f(format, row.v(key)) : "-";
    }

    void footprint() throws IOException {
        List<Report.RunData> rs = of("FootprintBenchmark");
        if (rs.isEmpty()) {
            return;
        }
        md.append("## Footprint\n\nThe agent as it runs on a host, a separate process (`java [JVM options] -jar mpsec-agent-*-all.jar serve --no-host-ns ")
                .append("--netns CLIENT --netns SERVER --status-socket none`), watching both namespaces of a two-path testbed ")
                .append("while that many MPTCP connections (`MpsecSocket`) are open between them, each writing 64 bytes a second. ")
                .append("One dashboard is open: the server-sent events stream `/api/v1/stream` read continuously and `GET /api/v1/system` every 5 seconds, ")
                .append("as the page does, plus `GET /api/v1/snapshot` every second (an API client on top). Kernel counters are sampled every second ")
                .append("(the agent's default; the connections' sock_diag dumps every 2 s); no packet capture. ")
                .append("The benchmark fails unless `/api/v1/connections` lists every connection in both namespaces before and after the window ")
                .append("and the dashboard received events and snapshots during it. RSS from `/proc/PID/status` (VmRSS each second; VmHWM, the peak since ")
                .append("the agent started, is what the target judges), CPU from `/proc/PID/stat` (utime + stime over the window's wall time). ")
                .append("JVM options `default`: none, as the packaged launcher runs the agent unless `MPSEC_JAVA_OPTS` is set ")
                .append("(the JVM then sizes the heap at up to a quarter of the machine's memory).\n\n")
                .append("| JVM options | connections | window s (after warm-up s) | peak RSS (VmHWM) MiB | VmRSS first -> last second, mean MiB | ")
                .append("CPU, % of one core | per second: median / busiest % | where the CPU went, % of one core | threads | stream events / snapshots | command |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Report.RunData r : rs) {
            List<Map<String, Object>> side = r.side("FootprintBenchmark");
            for (Report.Row row : r.rows()) {
                Map<String, Object> rec = side.stream().filter(x -> row.p("jvmOptions").equals(String.valueOf(x.getOrDefault("jvmOptions", ""))))
                        .reduce((a, b) -> b).orElse(Map.of());
                List<Double> rss = numbers(rec.get("rssKbPerSecond"));
                List<Double> cpu = numbers(rec.get("cpuPercentPerSecond"));
                String growth = rss.isEmpty() ? "?" : f("%.1f -> %.1f", rss.get(0) / 1024, rss.get(rss.size() - 1) / 1024);
                double busiest = cpu.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
                md.append(f("| `%s` | %s | %s (%s) | %.1f: %s | %s, %.1f | %.2f: %s | %.0f / %.0f | %s | %s | %.0f / %.0f | %s |\n", row.p("jvmOptions"),
                        row.p("connections"), row.p("seconds"), row.p("warmSeconds"), row.v("hwmMb"), met(row.v("hwmMb") <= FOOTPRINT_RSS_MIB),
                        growth, row.v("meanRssMb"), row.v("cpuPercent"), met(row.v("cpuPercent") < 5),
                        cpu.isEmpty() ? Double.NaN : EfficiencyMain.median(cpu), busiest, byThread(rec.get("cpuPercentByThread")),
                        rec.getOrDefault("threads", "?"),
                        row.v("streamEvents"), row.v("snapshots"), r.command(row)));
            }
        }
        md.append("\nWith the JVM's default options VmRSS climbs through the window: the garbage-collected heap grows towards its maximum ")
                .append("instead of collecting; compare the bounded-heap row, where the same load runs in a flat VmRSS, so the live data fits it. The first seconds (start-up, ")
                .append("class loading) are not in the CPU window (they are in VmHWM), but JIT compilation goes on for minutes at this low rate of work: ")
                .append("the compiler threads (`C1/C2 CompilerThre`) are a large share of the window's CPU, the agent's own threads (`mpsec-*`, ")
                .append("the HTTP event loop `multiThreadIoEv`) the rest. ")
                .append("The machine is shared (load average in the table above), which inflates CPU time somewhat.\n\n");
    }

    /** The four busiest thread groups of a footprint record ({@code cpuPercentByThread}), e.g. {@code C2 CompilerThreN 1.2, mpsec-dashboard 0.6}. */
    private static String byThread(Object map) {
        if (!(map instanceof Map<?, ?> m) || m.isEmpty()) {
            return "?";
        }
        List<String> out = new ArrayList<>();
        m.entrySet().stream().limit(4).forEach(e -> out.add(f("%s %.2f", e.getKey(), num(e.getValue()))));
        return String.join(", ", out);
    }

    void virtualThreads() {
        VirtualThreadsSection.write(md, of("VirtualThreadsBenchmark"));
    }

    void coupledAggregation() {
        CoupledAggregationSection.write(md, of("CoupledAggregationBenchmark"));
    }

    private static List<Double> numbers(Object list) {
        List<Double> out = new ArrayList<>();
        if (list instanceof List<?> l) {
            l.forEach(v -> out.add(num(v)));
        }
        return out;
    }

    static String pmName(String pm) {
        return switch (pm) {
            case "BACKUP" -> "backup strategy";
            case "BACKUP_SWAP_ONLY" -> "backup, priority swap only (control)";
            case "BACKUP_LINK_ONLY" -> "backup, no blackhole detection (control)";
            default -> "default PM";
        };
    }

    static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static String first3(Object load) {
        String[] f = String.valueOf(load).split(" ");
        return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : String.valueOf(load);
    }

    private static double load1(Object load) {
        try {
            return Double.parseDouble(String.valueOf(load).split(" ")[0]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
