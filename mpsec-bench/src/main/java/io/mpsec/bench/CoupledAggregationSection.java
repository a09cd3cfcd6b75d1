package io.mpsec.bench;

import static io.mpsec.bench.Report.f;

import java.util.List;

/** The coupled congestion controls' aggregation table of docs/BENCHMARKS.md, from {@link CoupledAggregationBenchmark}. */
final class CoupledAggregationSection {
    static final double TARGET = 0.90;

    private CoupledAggregationSection() {
    }

    /** The rows of the "Targets" table. */
    static void targets(StringBuilder md, List<Report.RunData> rs) {
        for (Report.RunData r : rs) {
            for (Report.Row row : r.rows()) {
                if (!row.p("cc").startsWith("mpsec_")) {
                    continue;   // the uncoupled baseline is in the section's table
                }
                md.append(f("| coupled CC `%s`, 2 x 100 Mbit/s, fraction of the sum | >= %.2f | %.3f | %s |\n", row.p("cc"), TARGET,
                        row.v("fractionOfSum"), Report.met(row.v("fractionOfSum") >= TARGET)));
            }
        }
    }

    /** Appends the section to {@code md}; nothing when {@code rs} is empty. */
    static void write(StringBuilder md, List<Report.RunData> rs) {
        if (rs.isEmpty()) {
            return;
        }
        md.append("## Coupled congestion control: aggregation\n\nMPSec's BPF coupled congestion controls (`mpsec_lia`: RFC 6356; `mpsec_olia`: ")
                .append("Khalili et al. 2012; `mpsec_balia`: Peng et al. 2016; `mpsec_wvegas`: Cao, Xu, Fu 2012, delay-based) on two separate paths, against `reno` subflows (uncoupled) in the ")
                .append("same run: the rounds of the aggregation benchmark (each path alone, then both), with the client socket asking for the ")
                .append("algorithm with TCP_CONGESTION before it connects. Before the rounds `ss -ti` must name the algorithm on every subflow. ")
                .append("The HTB shaping here sits on the sender's own interfaces, so the subflows see no loss: this table shows that coupling ")
                .append("does not cost throughput where the paths are separate; the fairness and responsiveness tables show what it buys ")
                .append("at a shared or changing bottleneck.\n\n")
                .append("| algorithm | paths Mbit/s | both paths, fraction of the sum | both over path 1 alone | smaller path share | target | result | command |\n")
                .append("|---|---|---|---|---|---|---|---|\n");
        for (Report.RunData r : rs) {
            for (Report.Row row : r.rows()) {
                md.append(f("| `%s` | %s | %.3f | %.3fx | %.2f | >= %.2f | %s | %s |\n", row.p("cc"), row.p("rates"), row.v("fractionOfSum"),
                        row.v("ratio"), row.v("minShare"), TARGET, Report.met(row.v("fractionOfSum") >= TARGET), r.command(row)));
            }
        }
        md.append('\n');
    }
}
