package io.mpsec.bench;

import static io.mpsec.bench.Report.f;
import static io.mpsec.bench.Report.met;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The "Fairness on a shared bottleneck" section of docs/BENCHMARKS.md (issue 11), from the
 * {@link FairnessBenchmark} side file: per competitor and coupled algorithm, the median MPTCP share
 * over the runs, the median of its distance to the uncoupled baseline of the same run, and the targets
 * (share <= 55%, at least 10 points below the baseline).
 */
final class FairnessSection {
    static final double MAX_SHARE = 0.55;
    static final double MIN_POINTS_BELOW = 10;

    private FairnessSection() {
    }

    /** Appends the section to {@code md}; nothing when no run of {@link FairnessBenchmark} is present. */
    static void write(StringBuilder md, List<Report.RunData> runs) throws IOException {
        List<Report.RunData> rs = runs.stream().filter(r -> r.rows().stream().anyMatch(x -> x.benchmark().equals("FairnessBenchmark"))).toList();
        if (rs.isEmpty()) {
            return;
        }
        md.append("## Fairness on a shared bottleneck\n\n")
                .append("Issue 11's \"do no harm\" check (RFC 6356) for MPSec's BPF coupled congestion controls. Three namespaces: a client, a forwarding ")
                .append("router and a server. Two unshaped veth paths join client and router (one per MPTCP subflow), one joins router and server; on the ")
                .append("router's egress towards the server, and only there, HTB limits the rate and a pfifo leaf holds the stated number of packets ")
                .append("(the client sends one MSS per packet, `gso_max_segs 1`, so the limit counts wire-sized packets). One 2-subflow MPTCP ")
                .append("connection (`MpsecSocket`, TCP_CONGESTION set) competes with one plain single-path TCP flow (a python3 sender, Reno or CUBIC set ")
                .append("explicitly: the host default is BBR). Each run measures the uncoupled baseline (the competitor's algorithm on both subflows) and ")
                .append("then each coupled algorithm, back to back; MPTCP's share is its part of the bytes the server received in the window. ")
                .append("Every contest must see drops at the bottleneck (`tc -s`) and two subflows, and every subflow must run the algorithm asked for (`ss -ti`).\n\n")
                .append("| competitor | MPTCP | runs | bottleneck | MPTCP share (median) | per run | points below the uncoupled baseline (median of the runs) | ")
                .append("share <= 55% | >= 10 points below | drops per window (median) | drops per packet (max) | largest subflow cwnd (max) | command |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Report.RunData r : rs) {
            List<Map<String, Object>> side = r.side("FairnessBenchmark");
            Map<String, Report.Row> rowOf = new LinkedHashMap<>();
            r.rows().forEach(row -> rowOf.put(row.p("competitor"), row));
            Map<String, Map<String, List<Map<String, Object>>>> by = new TreeMap<>(
                    (a, b) -> a.equals(b) ? 0 : a.equals("reno") ? -1 : b.equals("reno") ? 1 : a.compareTo(b));
            for (Map<String, Object> x : side) {
                by.computeIfAbsent(String.valueOf(x.get("competitor")), k -> new LinkedHashMap<>())
                        .computeIfAbsent(String.valueOf(x.get("algorithm")), k -> new ArrayList<>()).add(x);
            }
            by.forEach((competitor, algs) -> algs.forEach((alg, recs) -> row(md, r, rowOf.get(competitor), competitor, alg, recs,
                    algs.getOrDefault("uncoupled", List.of()))));
        }
        md.append("\nShares are medians over the runs; \"points below\" is the median over the runs of (baseline share - coupled share) ")
                .append("in percentage points, each pair measured in the same run. The side file `FairnessBenchmark.jsonl` holds each contest's ")
                .append("rates, drops and the senders' cwnd, ssthresh and RTT once a second (`ss -ti`). \"Drops per packet\" is the worst contest's share ")
                .append("of the packets reaching the queue that it dropped (about 0.2-0.3% for three Reno flows here); \"largest subflow cwnd\" the largest ")
                .append("window `ss` showed on any MPTCP subflow, sampled every 250 ms: the queue and the ~0 ms path hold about 100 packets, so windows of ")
                .append("thousands mean a runaway window that floods the queue. Such windows were seen in about half the coupled contests of an ")
                .append("earlier run (up to 407 million packets). The cause is the test host's kernel, not upstream Linux: it skips a BPF ")
                .append("congestion-control callback when the softirq that handles an ACK runs on top of PID 1, and the struct_ops trampoline ")
                .append("then returns an unwritten stack slot, which the kernel stores as `snd_ssthresh` (the low 32 bits of the subflow's own ")
                .append("`struct sock` pointer, caught with `tcp:tcp_probe`; [kernel-notes/bpf-struct-ops-skipped-for-pid1.md]")
                .append("(kernel-notes/bpf-struct-ops-skipped-for-pid1.md)). Every MPSec program now repairs, at its next call, a window or ")
                .append("threshold that such a skipped callback left (`repair_skipped_callbacks`) and counts the repairs in its `.bss` ")
                .append("(`CoupledCongestionControl.callbackRepairs()`).\n\n");
    }

    private static void row(StringBuilder md, Report.RunData r, Report.Row jmh, String competitor, String alg, List<Map<String, Object>> recs,
            List<Map<String, Object>> baseline) {
        List<Double> shares = new ArrayList<>();
        List<Double> drops = new ArrayList<>();
        List<Double> below = new ArrayList<>();
        double dropRate = 0;
        double maxCwnd = 0;
        StringBuilder perRun = new StringBuilder();
        for (Map<String, Object> x : recs) {
            double share = num(x.get("mptcpShare"));
            shares.add(share);
            drops.add(num(x.get("dropped")));
            dropRate = Math.max(dropRate, num(x.get("dropped")) / (num(x.get("sentPackets")) + num(x.get("dropped"))));
            maxCwnd = Math.max(maxCwnd, num(x.get("maxSubflowCwnd")));
            perRun.append(perRun.length() == 0 ? "" : " ").append(f("%.1f%%", 100 * share));
            for (Map<String, Object> b : baseline) {
                if (b.get("run").equals(x.get("run"))) {
                    below.add(100 * (num(b.get("mptcpShare")) - share));
                }
            }
        }
        Map<String, Object> first = recs.get(0);
        String bottleneck = f("%s Mbit/s, pfifo %s packets", first.get("rateMbit"), first.get("queuePackets"));
        double share = EfficiencyMain.median(shares);
        String command = jmh == null ? "" : r.command(jmh);
        if (alg.equals("uncoupled")) {
            md.append(f("| %s | uncoupled %s (baseline) | %d | %s | %.1f%% | %s | - | - | - | %.0f | %.2f%% | %.0f | %s |\n", competitor, first.get("mptcp"),
                    recs.size(), bottleneck, 100 * share, perRun, EfficiencyMain.median(drops), 100 * dropRate, maxCwnd, command));
            return;
        }
        double pts = EfficiencyMain.median(below);
        md.append(f("| %s | %s (`%s`) | %d | %s | %.1f%% | %s | %.1f | %s | %s | %.0f | %.2f%% | %.0f | %s |\n", competitor,
                alg.toUpperCase(java.util.Locale.ROOT), first.get("mptcp"), recs.size(), bottleneck, 100 * share, perRun, pts, met(share <= MAX_SHARE),
                met(pts >= MIN_POINTS_BELOW), EfficiencyMain.median(drops), 100 * dropRate, maxCwnd, command));
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
