package io.mpsec.bench;

import static io.mpsec.bench.Report.f;
import static io.mpsec.bench.RtoMinCostBenchmark.median;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** The cost half of the failover section's {@code rto_min} question, from the {@link RtoMinCostBenchmark} run. */
final class RtoMinCostSection {
    private RtoMinCostSection() {
    }

    /** Appends the table to {@code md} from the run named RtoMinCostBenchmark, if present. */
    static void write(StringBuilder md, List<Report.RunData> runs) throws IOException {
        Report.RunData r = runs.stream().filter(x -> x.name().equals("RtoMinCostBenchmark")).findFirst().orElse(null);
        if (r == null || r.rows().isEmpty()) {
            return;
        }
        Report.Row first = r.rows().get(0);
        List<Map<String, Object>> side = r.side("RtoMinCostBenchmark");
        md.append("### What a lower rto_min costs\n\n")
                .append("What a lower floor buys is in the table above (the `rto_min` rows). What it costs, with nothing cut: the same testbed ")
                .append(f("and stream, with cross traffic on path 1 in bursts (`iperf3 -R -P %s`: %s Reno flows from the server for %s s every %s s, ",
                        first.p("burstFlows"), first.p("burstFlows"), first.p("burstSeconds"), first.p("burstEverySeconds")))
                .append("sharing the server's path-1 queue with the stream's ACKs), so that path 1's RTT jumps, which is when a short ")
                .append(f("retransmission timer fires for nothing. Windows of %s s alternate between the default floor and a lowered one on ",
                        first.p("seconds")))
                .append("path 1's routes (both hosts), each window on a new stream that is checked at its end. The counters are the client ")
                .append("namespace's (the stream's subflows), per window; `TcpExtTCPSpuriousRTOs` counts the timeouts F-RTO proved spurious ")
                .append("(the data had not been lost); `ss`'s `rto` shows the floor in effect. Medians over the windows:\n\n")
                .append("| rto_min on path 1 | windows | stream Mbit/s | RTO timeouts | of them spurious (F-RTO) | retransmitted segments | ")
                .append("MPTCP-level retransmissions | path 1 srtt min-max ms | path 1 rto (`ss`) min-max ms | command |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|\n");
        StringBuilder text = new StringBuilder();
        for (Report.Row row : r.rows()) {
            int lowered = Integer.parseInt(row.p("rtoMin"));
            List<Map<String, Object>> mine = side.stream().filter(x -> ((Number) x.get("lowered")).intValue() == lowered).toList();
            List<Map<String, Object>> def = mine.stream().filter(x -> ((Number) x.get("rtoMin")).intValue() == 0).toList();
            List<Map<String, Object>> low = mine.stream().filter(x -> ((Number) x.get("rtoMin")).intValue() == lowered).toList();
            if (def.isEmpty() || low.isEmpty()) {
                continue;
            }
            row(md, "default (200 ms), paired with " + lowered + " ms", def, r.command(row));
            row(md, lowered + " ms", low, r.command(row));
            text.append(f("With %d ms the windows saw %.0f RTO timeouts in all (%.0f of them spurious), %.0f retransmitted segments and %.0f "
                    + "MPTCP-level retransmissions, against %.0f (%.0f), %.0f and %.0f with the default in the same run; the stream ran at "
                    + "%.2f of its rate with the default (medians). ",
                    lowered, sum(low, "timeouts"), sum(low, "spuriousRtos"), sum(low, "retransSegs"), sum(low, "mptcpRetrans"),
                    sum(def, "timeouts"), sum(def, "spuriousRtos"), sum(def, "retransSegs"), sum(def, "mptcpRetrans"),
                    median(low, "streamMbit") / median(def, "streamMbit")));
        }
        md.append('\n').append(text)
                .append("A timeout fires for nothing only when an ACK comes later than srtt + max(rttvar, floor) after the data, so the price ")
                .append("of a floor depends on how far the path's RTT can jump within one round trip: here the bursts raised path 1's smoothed ")
                .append("RTT to the maximum shown, not more. A path whose RTT can jump by more than the floor (a queue that fills at once, a ")
                .append("radio link, a busy router) pays a needless retransmission and, until F-RTO undoes it, a collapsed congestion window ")
                .append("at every such jump. The connection-level retransmission timer is derived from the subflows' RTO, so a lower ")
                .append("floor also lets MPTCP re-send data on the other path sooner (`MPTcpExtMPTCPRetrans`): data that was only late then ")
                .append("arrives twice, and the receiver drops the copy. `setup` leaves `rto_min` alone.\n\n");
    }

    private static void row(StringBuilder md, String label, List<Map<String, Object>> recs, String command) {
        md.append(f("| %s | %d | %.1f | %.0f | %.0f | %.0f | %.0f | %.1f-%.1f | %.0f-%.0f | %s |\n", label, recs.size(),
                median(recs, "streamMbit"), median(recs, "timeouts"), median(recs, "spuriousRtos"), median(recs, "retransSegs"),
                median(recs, "mptcpRetrans"), median(recs, "path1SrttMinMillis"), median(recs, "path1SrttMaxMillis"),
                median(recs, "path1RtoMinMillis"), median(recs, "path1RtoMaxMillis"), command));
    }

    private static double sum(List<Map<String, Object>> recs, String key) {
        return recs.stream().mapToDouble(x -> ((Number) x.get(key)).doubleValue()).sum();
    }
}
