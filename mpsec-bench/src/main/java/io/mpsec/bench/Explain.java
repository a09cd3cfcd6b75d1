package io.mpsec.bench;

import static io.mpsec.bench.Report.f;
import static io.mpsec.bench.Sections.num;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The measured explanations in the report: each sentence is built from side-file values (per-path
 * throughput against the path alone, shares, RTT, cwnd, retransmissions, gap split by cut position),
 * never from a constant.
 */
final class Explain {
    private Explain() {
    }

    /** Unbalanced paths: what each path delivered in the combined transfer against what it delivered alone. */
    @SuppressWarnings("unchecked")
    static void unbalanced(StringBuilder md, List<Map<String, Object>> side) {
        if (side.isEmpty()) {
            return;
        }
        int n = ((List<Object>) side.get(0).get("aloneMbit")).size();
        md.append("Where the throughput goes (medians over rounds; a path's part of the combined transfer = its HTB share x the combined rate):\n\n")
                .append("| path | alone Mbit/s | in the combined transfer Mbit/s | of its rate alone | subflow RTT ms | subflow cwnd |\n|---|---|---|---|---|---|\n");
        for (int p = 0; p < n; p++) {
            List<Double> alone = new ArrayList<>();
            List<Double> part = new ArrayList<>();
            List<Double> rtt = new ArrayList<>();
            List<Double> cwnd = new ArrayList<>();
            String local = "198.18." + (p + 1) + ".1";
            for (Map<String, Object> x : side) {
                alone.add(num(((List<Object>) x.get("aloneMbit")).get(p)));
                part.add(num(((List<Object>) x.get("shares")).get(p)) * num(x.get("togetherMbit")));
                for (Map<String, Object> s : (List<Map<String, Object>>) x.getOrDefault("subflows", List.of())) {
                    if (local.equals(s.get("local"))) {
                        rtt.add(num(s.get("rttMicros")) / 1000);
                        cwnd.add(num(s.get("cwnd")));
                    }
                }
            }
            double a = EfficiencyMain.median(alone);
            double c = EfficiencyMain.median(part);
            md.append(f("| %d | %.1f | %.1f | %.0f%% | %.1f | %.0f |\n", p + 1, a, c, 100 * c / a, EfficiencyMain.median(rtt),
                    EfficiencyMain.median(cwnd)));
        }
        md.append("\nThe path whose combined part falls furthest below its rate alone is where the shortfall is. A subflow RTT well above the ")
                .append("other path's means its packets wait in that path's HTB queue; the receiver then holds the fast path's data until ")
                .append("the slow path's earlier data arrives (MPTCP delivers in order), which the MPTCP-level receive window bounds. ")
                .append("Retransmissions and the MIB counters in the table above show whether losses took part.\n\n");
    }

    /** Failover: the gaps split into the first cut of a stream and the later ones, per configuration. */
    static void failover(StringBuilder md, List<Map<String, Object>> side) {
        Map<String, List<Map<String, Object>>> by = new TreeMap<>();
        side.forEach(x -> by.computeIfAbsent(x.get("cut") + " / " + Sections.pmName(String.valueOf(x.get("pm")))
                + " / rto_min " + x.get("rtoMin"), k -> new ArrayList<>()).add(x));
        md.append("Gaps by the cut's position in its stream (with the backup strategies the first cut of a stream hits the first ")
                .append("working primary and later cuts one the strategy reopened; with the default path manager every cut hits the initial ")
                .append("subflow). Per cut the benchmark also reads the bytes the connection's initial subflow sent while path 1 was cut ")
                .append("(its `tcpi_bytes_sent`; with the backup strategies that subflow is on path 1 and marked backup) and the client's ")
                .append("MIB counters (`nstat`) from before the cut to a second after the restore: `MPTcpExtMPTCPRetrans` counts data the ")
                .append("kernel re-sent at the MPTCP level after a timeout, `MPTcpExtRmSubflow` subflows removed (the strategy closing ")
                .append("the working primary):\n\n")
                .append("| configuration | first cuts: n, p50, max ms | later cuts: n, p50, max ms | cuts where path 1 was idle before the cut ")
                .append("| cuts where the initial subflow sent data during the cut, most bytes | MPTCP-level retransmissions, cuts with any | subflows removed per cut, p50 |\n|---|---|---|---|---|---|---|\n");
        by.forEach((k, recs) -> {
            List<Double> first = new ArrayList<>();
            List<Double> later = new ArrayList<>();
            int idle = 0;
            int initialCuts = 0;
            int initialKnown = 0;
            long initialMax = 0;
            long retrans = 0;
            int retransCuts = 0;
            int mibKnown = 0;
            List<Double> removed = new ArrayList<>();
            for (Map<String, Object> x : recs) {
                (num(x.get("cutInStream")) == 0 ? first : later).add(num(x.get("gapMillis")));
                idle += Boolean.TRUE.equals(x.get("path1Idle")) ? 1 : 0;
                double init = num(x.get("initialSentDuringCut"));
                if (init >= 0) {
                    initialKnown++;
                    initialCuts += init > 0 ? 1 : 0;
                    initialMax = Math.max(initialMax, (long) init);
                }
                if (x.get("mib") instanceof Map<?, ?> mib) {
                    mibKnown++;
                    double r = mib.get("MPTcpExtMPTCPRetrans") instanceof Number n ? n.doubleValue() : 0;
                    retrans += (long) r;
                    retransCuts += r > 0 ? 1 : 0;
                    removed.add(mib.get("MPTcpExtRmSubflow") instanceof Number n ? n.doubleValue() : 0.0);
                }
            }
            Map<String, Double> a = Failover.percentiles(first);
            Map<String, Double> b = Failover.percentiles(later);
            md.append(f("| %s | %d, %.0f, %.0f | %d, %.0f, %.0f | %d | %s | %s | %s |\n", k, first.size(), a.get("p50"), a.get("max"), later.size(),
                    b.get("p50"), b.get("max"), idle,
                    initialKnown == 0 ? "not recorded" : f("%d of %d, %d bytes", initialCuts, initialKnown, initialMax),
                    mibKnown == 0 ? "not recorded" : f("%d, %d of %d", retrans, retransCuts, mibKnown),
                    mibKnown == 0 ? "not recorded" : f("%.0f", Failover.percentiles(removed).get("p50"))));
        });
        md.append("\n**Why the backup strategy was slower than the default path manager, and the fix.** The strategy sees a local link-down ")
                .append("at once (rtnetlink) and used to answer with MP_PRIO only: the primary becomes backup, the standby regular. ")
                .append("That changes where *new* data goes, but the data already in flight on the dead path stays queued on that subflow ")
                .append("until the connection-level retransmission timer fires, and that timer is at least the RTO floor (200 ms), doubling ")
                .append("when it fires again; the receiver, which delivers in order, waits for exactly that data. Closing the dead subflow ")
                .append("instead makes the kernel re-inject its unacknowledged data onto the other subflows immediately (`__mptcp_close_ssk` with ")
                .append("`MPTCP_CF_PUSH` calls `__mptcp_retransmit_pending_data`), so `Backup` closes the primary subflow on link-down and ")
                .append("opens a new one on link-up. The `backup, priority swap only (control)` rows run the old behaviour in the same run.\n\n")
                .append("**Never the initial subflow.** `Backup` opens a second subflow on the primary path (the working primary) and marks ")
                .append("the initial subflow backup, so failover closes only the working primary. The kernel does not release a closed ")
                .append("initial subflow (`msk->first`): it only shuts it down and keeps it in the connection, and the one run in which a ")
                .append("received stream differed from the sent one (same length, other bytes) was with a variant that closed it ")
                .append("(docs/kernel-notes/mptcp-subflow-destroy-first.md). Some cuts still take longer than the target; candidates not ")
                .append("yet separated: a standby that has never carried data (no RTT sample yet) and, on a loaded machine, the delay before ")
                .append("the strategy and the receiver get a CPU.\n\n")
                .append("**The default path manager** does not act on a link-down at all: the data in flight on the dead path waits for the ")
                .append("connection-level retransmission timer, so its gaps sit at the RTO floor (200 ms) and its tail at the backed-off timer ")
                .append("(two or three firings); the target of 250 ms for the maximum is missed whenever the timer fires twice.\n\n")
                .append("**Blackhole with the backup strategy** is slower than with the default path manager: there is no link event, so the ")
                .append("strategy does nothing, and the kernel moves traffic to a backup subflow only once it declares the primary stale ")
                .append("(`net.mptcp.stale_loss_cnt` retransmission timeouts), while the default path manager has both subflows active ")
                .append("and re-injects after the first timeout. It is also slower than the priority swap alone (the control row): with ")
                .append("`Backup` the connection's initial subflow sits on the same path as the working primary, marked backup, so it is ")
                .append("itself a backup candidate when the working primary is declared stale; the likely cause, not yet proven by a capture, ")
                .append("is that the kernel first moves the data onto that subflow, into the same blackhole, and needs a second stale ")
                .append("declaration before it reaches the standby on path 2. Detecting the blackhole in the strategy (subflow ")
                .append("retransmissions without progress) and closing the working primary as on a link-down is the next step.\n\n")
                .append("A blackhole is visible only through retransmission timeouts: no path manager can react before the first RTO ")
                .append("(200 ms by default). The `rto_min` rows set a lower floor on path 1's routes on both hosts (`ip route ... rto_min`, ")
                .append("set again after every link-up). Compare their gaps with the rows above: where they do not shrink, the subflow's ")
                .append("RTO floor is not what bounds the gap, and what does was not investigated in this run. Its cost, spurious ")
                .append("retransmissions on a path whose RTT varies by more than the floor, is not measured here.\n\n");
    }

    /** Control plane: time per operation, which shows whether the kernel or the caller bounds it. */
    static void controlPlane(StringBuilder md, List<Map<String, Object>> side) {
        List<Double> m = new ArrayList<>();
        List<Double> ip = new ArrayList<>();
        Map<String, Object> any = new LinkedHashMap<>();
        for (Map<String, Object> x : side) {
            m.add(1e6 / num(x.get("mpsecPerSecond")));
            ip.add(1e6 / num(x.get("ipBatchPerSecond")));
            any = x;
        }
        if (m.isEmpty()) {
            return;
        }
        List<Double> ratios = side.stream().map(x -> num(x.get("ratio"))).sorted().toList();
        md.append(f("\nPer add + delete pair: MPSec %.0f us, ip -batch %.0f us (medians of %d rounds; ratio range %.2f-%.2f over rounds, "
                + "%s endpoints per cycle). Both wait for the kernel's acknowledgement of every request; the spread between rounds is "
                + "the noise of the shared machine.\n\n", EfficiencyMain.median(m), EfficiencyMain.median(ip), side.size(),
                ratios.get(0), ratios.get(ratios.size() - 1), any.get("endpoints")));
    }
}
