package io.mpsec.bench;

import static io.mpsec.bench.Report.f;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** The "Responsiveness" section of docs/BENCHMARKS.md, from the {@link ResponsivenessBenchmark} run. */
final class ResponsivenessSection {
    private ResponsivenessSection() {
    }

    /** Appends the section to {@code md} from the run named ResponsivenessBenchmark, if present. */
    static void write(StringBuilder md, List<Report.RunData> runs) throws IOException {
        Report.RunData r = runs.stream().filter(x -> x.name().equals("ResponsivenessBenchmark")).findFirst().orElse(null);
        if (r == null) {
            return;
        }
        String delay = r.rows().isEmpty() ? "0" : r.rows().get(0).p("delayMs");
        md.append("## Responsiveness of the coupled congestion controls\n\n")
                .append("Issue 11's target: OLIA and BALIA shift traffic away from a path whose capacity drops from 100 to 25 Mbit/s within 5 s, ")
                .append("measurably faster than the uncoupled baseline. One MPSec connection (TCP_CONGESTION set on the socket, so every subflow ")
                .append("runs it) sends bulk data over two disjoint paths whose bottlenecks sit on a forwarding router: HTB 100 Mbit/s with a ")
                .append("`pfifo limit 100` leaf on the router's egress of each link (a bottleneck on the sender's own egress never drops: TCP ")
                .append("small queues hold a local sender). ")
                .append(f("Before its bottleneck each path passes a delay line of %s ms (a TUN device on the router whose program holds every ", delay))
                .append("packet for that long: this kernel has no netem), so a window has a bandwidth-delay product to fill and `ss` shows ")
                .append("the delay as the smallest RTT. After the warm-up link B (path 2) is cut to 25 Mbit/s.\n\n")
                .append(f("- **Shift time**, from `ss -tin` on the sender (every 250 ms or slower): from the cut to the first sample from which the median of three consecutive `cwnd * mss / srtt` of path 2 is at most %.2f x 25 Mbit/s.\n", ResponsivenessBenchmark.TOLERANCE))
                .append(f("- **Settle time**, from the router's own counters of link B's queue (every 250 ms): from the cut to the last sample in which link B dropped packets, provided none follows for %.0f s to the end of the window; \"not settled\" otherwise. It is how long the congestion control keeps pushing more into the cut path than it carries.\n", ResponsivenessBenchmark.QUIET_SECONDS))
                .append("- **Window share** of path 2 (cwnd2 / (cwnd1 + cwnd2)) and path 2's smoothed RTT, means over the samples after the cut: how much of the connection waits in the cut link's queue.\n\n")
                .append("Medians of the runs; `reno` is the uncoupled baseline.\n\n")
                .append("| algorithm | runs | delay per path ms | shift time s | settle time s | last drop on B s | drops on B after the cut | ")
                .append("window share of path 2 after the cut | path 2 srtt after the cut ms | link B after the cut Mbit/s | command |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        Report.Row reno = r.rows().stream().filter(x -> x.p("algorithm").equals("reno")).findFirst().orElse(null);
        for (Report.Row row : r.rows()) {
            md.append(f("| %s | %s | %s | %s | %s | %.2f | %.0f | %.2f | %.1f | %.1f | %s |\n", row.p("algorithm"), row.p("runs"), row.p("delayMs"),
                    time(row.v("shiftSeconds"), "not within the window"), time(row.v("settleSeconds"), "not settled"), row.v("lastDropSeconds"),
                    row.v("dropsBAfter"), row.v("windowShare2After"), row.v("srtt2MsAfter"), row.v("linkBMbitAfter"), r.command(row)));
        }
        List<Map<String, Object>> all = r.side("ResponsivenessBenchmark");
        List<Map<String, Object>> side = all.stream().filter(x -> x.containsKey("run")).toList();
        List<Map<String, Object>> lines = all.stream().filter(x -> x.containsKey("delayLine")).toList();
        md.append("\nPer run (times in s from the cut; the series of `ss` samples and of link B's drop counter are in the side file `ResponsivenessBenchmark.jsonl`):\n\n");
        for (Map<String, Object> rec : side) {
            md.append(f("- %s run %s: shift %s, settle %s, drops on B %s before / %s after the cut (last at %.2f), on A %s; window share %.2f, ",
                    rec.get("algorithm"), rec.get("run"), opt(rec.get("shiftSeconds")), opt(rec.get("settleSeconds")), rec.get("dropsBBefore"),
                    rec.get("dropsBAfter"), num(rec.get("lastDropSeconds")), rec.get("dropsA"), num(rec.get("windowShare2After"))))
                    .append(f("path 2 srtt %.1f ms, smallest srtt %.1f ms, link B %.1f Mbit/s, %s samples after the cut\n",
                            num(rec.get("srtt2MsAfter")), num(rec.get("srttMsMin")), num(rec.get("linkBMbitAfter")), rec.get("samplesAfter")));
        }
        if (!lines.isEmpty()) {
            long packets = lines.stream().mapToLong(x -> ((Number) x.get("packets")).longValue()).sum();
            long late = lines.stream().mapToLong(x -> ((Number) x.get("late1ms")).longValue()).sum();
            long dropped = lines.stream().mapToLong(x -> ((Number) x.get("dropped")).longValue()).sum();
            double worst = lines.stream().mapToDouble(x -> ((Number) x.get("lateMaxMicros")).doubleValue()).max().orElse(0) / 1000;
            md.append(f("\nThe delay lines (their own counts, %d lines over all runs): %,d packets delayed, %.2f%% of them sent more than 1 ms after ",
                    lines.size(), packets, 100.0 * late / Math.max(1, packets)))
                    .append(f("their due time (the worst %.1f ms late), %d dropped for a full FIFO. `ss` saw the smallest RTT as the \"smallest srtt\" above.\n", worst, dropped));
        }
        List<Report.Row> target = r.rows().stream()
                .filter(x -> x.p("algorithm").equals("mpsec_olia") || x.p("algorithm").equals("mpsec_balia")).toList();
        boolean within = !target.isEmpty() && target.stream().allMatch(x -> x.v("shiftSeconds") <= 5 && x.v("settleSeconds") <= 5);
        // a time is known to within one sampling interval: faster means ahead of reno's last drop by more than that
        double interval = side.stream().mapToDouble(x -> Double.parseDouble(r.rows().get(0).p("afterSeconds"))
                / num(x.get("samplesAfter"))).average().orElse(Double.NaN);
        double renoLast = reno == null ? Double.NaN : reno.v("lastDropSeconds");
        boolean faster = !target.isEmpty() && target.stream().allMatch(x -> x.v("settleSeconds") + interval < renoLast);
        md.append("\nTarget \"within 5 s\" for OLIA and BALIA (both the shift and the settle time): ").append(Report.met(within))
                .append(f(". Target \"measurably faster than the uncoupled baseline\" (here: settled earlier than reno's last drop on link B, %.2f s ", renoLast))
                .append(f("after the cut, by more than the mean sampling interval, %.2f s): ", interval)).append(Report.met(faster)).append(".\n\n")
                .append("The shift time alone cannot tell the algorithms apart: with a greedy sender the router's HTB holds path 2 at 25 Mbit/s from ")
                .append("the moment of the cut whatever the congestion control does, and `cwnd * mss / srtt` follows because the RTT grows with ")
                .append("the queue. What the congestion control decides is how much it keeps pushing into the cut path. Reno's window on path 2 ")
                .append("halves at the cut, then grows by one packet per round trip until the queue overflows again, every few seconds, for as ")
                .append("long as the connection lasts. A coupled algorithm grows the window of the worse path by a fraction of that (OLIA: ")
                .append("`w2^2/rtt2^2 / (w1/rtt1 + w2/rtt2)^2` per round trip when path 1 has both the best loss interval and the largest window; ")
                .append("BALIA similarly), so after the drops of the cut itself path 2 no longer overflows and the extra data goes to path 1.\n\n");
    }

    private static String time(double seconds, String none) {
        return seconds >= ResponsivenessBenchmark.NOT_SHIFTED || Double.isNaN(seconds) ? none : f("%.2f", seconds);
    }

    private static String opt(Object seconds) {
        return seconds == null ? "none" : f("%.2f", ((Number) seconds).doubleValue());
    }

    private static double num(Object value) {
        return value == null ? Double.NaN : ((Number) value).doubleValue();
    }
}
