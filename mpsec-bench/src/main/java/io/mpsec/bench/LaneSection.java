package io.mpsec.bench;

import static io.mpsec.bench.Report.f;
import static io.mpsec.bench.Report.met;
import static io.mpsec.bench.Sections.num;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The report's kernel-lane section and its rows in the targets table, from the {@link LaneRun}'s
 * {@value LaneFigures#FILE}: SA control plane, ESP against cleartext, rekey under load, unbalanced
 * delay, each labelled emulated. {@link #main} writes the section alone ({@code lane.md}) for a
 * results directory.
 */
final class LaneSection {
    static final String LABEL = "emulated (kernel lane, 6.1, TCG)";

    private final Map<String, Object> figures;
    private final Map<String, Object> facts;

    LaneSection(Map<String, Object> figures, Map<String, Object> facts) {
        this.figures = figures;
        this.facts = facts;
    }

    /** The lane section of the run under {@code results}, or null when it has not run. */
    static LaneSection load(Path results) throws IOException {
        Map<String, Object>[] l = LaneRun.load(results);
        return l == null ? null : new LaneSection(l[0], l[1]);
    }

    /** {@code LaneSection RESULTS OUT.md}: writes only this section. */
    public static void main(String[] args) throws IOException {
        LaneSection s = load(Path.of(args[0]));
        if (s == null) {
            System.err.println("no " + LaneRun.NAME + " results in " + args[0] + ": run ./mpsec bench " + LaneRun.NAME);
            System.exit(2);
        }
        StringBuilder md = new StringBuilder("| figure | target | measured | result |\n|---|---|---|---|\n");
        s.targets(md);
        md.append('\n');
        s.section(md);
        Files.writeString(Path.of(args[1]), md.toString(), StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> part(String name) {
        return (Map<String, Object>) figures.getOrDefault(name, Map.of());
    }

    /** The lane run's row in the machine table: the host's facts, the guest's kernel. */
    void machineRow(StringBuilder md) {
        md.append(f("| %s | %s | %s s | %s in qemu TCG (%s vCPUs; host %s) | %s | %s | %s / %s |\n", LaneRun.NAME, facts.get("started"),
                facts.get("seconds"), figures.get("kernel"), figures.get("cpus"), facts.get("kernel"), facts.get("cpus"), figures.get("jdk"),
                facts.get("loadBefore"), facts.get("loadAfter")));
    }

    /** Rows for the targets table. */
    void targets(StringBuilder md) {
        Map<String, Object> sa = part("saControlPlane");
        Map<String, Object> u = part("unbalanced");
        md.append(f("| SA add+delete, MPSec / ip -batch, %s | >= 1.0 | %.2f | %s |\n", LABEL, num(sa.get("ratio")), met(num(sa.get("ratio")) >= 1.0)));
        md.append(f("| unbalanced delay %s ms, 2 x %s Mbit/s, fraction of the sum, %s | >= 0.90 | %.3f | %s |\n", delays(u),
                u.get("rateMbit"), LABEL, num(u.get("fractionOfSum")), met(num(u.get("fractionOfSum")) >= 0.90)));
    }

    private static String delays(Map<String, Object> u) {
        Object d = u.get("delaysMillis");
        return d instanceof List<?> l ? l.get(0) + " vs " + l.get(l.size() - 1) : String.valueOf(d);
    }

    /** The section itself. */
    @SuppressWarnings("unchecked")
    void section(StringBuilder md) {
        Map<String, Object> sa = part("saControlPlane");
        Map<String, Object> esp = part("esp");
        Map<String, Object> rekey = (Map<String, Object>) esp.getOrDefault("rekey", Map.of());
        Map<String, Object> u = part("unbalanced");
        md.append("## Kernel lane: SAs, ESP, unbalanced delay (").append(LABEL).append(")\n\n")
                .append(f("These figures need ESP or netem, which the build host's kernel lacks, so they are measured in the kernel lane: "
                        + "Debian's kernel %s under qemu's software emulation (TCG, %s vCPUs, %s), by `IpsecLaneIT` in mpsec-bench. "
                        + "Run %s on the host, lane %s s in all (guest figures %.0f s: SAs %.0f s, ESP %.0f s, unbalanced %.0f s); "
                        + "host load average before / after %s / %s.\n\n", figures.get("kernel"), figures.get("cpus"), figures.get("jdk"),
                        facts.get("started"), facts.get("seconds"), num(figures.get("seconds")), num(figures.get("secondsSa")),
                        num(figures.get("secondsEsp")), num(figures.get("secondsUnbalanced")), facts.get("loadBefore"), facts.get("loadAfter")))
                .append("**Emulated: in software emulation AES itself dominates, so these figures do not predict real hardware.** ")
                .append("Every figure is a ratio of measurements taken back to back in the same guest.\n\n")
                .append("Reproduce: `./mpsec bench ").append(LaneRun.NAME).append("` (root; rewrites this file from every result present), ")
                .append("or the lane alone: `").append(LaneRun.DIRECT_COMMAND).append("` (figures in `target/kernel-lane/").append(LaneFigures.FILE)
                .append("`).\n\n");

        md.append("### SA control plane\n\nESP SA add + delete pairs per second in a fresh namespace: MPSec's xfrm binding (`XfrmClient`, one ")
                .append("XFRM_MSG_NEWSA / XFRM_MSG_DELSA request and acknowledgement each) against `ip -batch` of `ip xfrm state add` / `delete` ")
                .append("with the same SAs (transport, `rfc4106(gcm(aes))` 256-bit, ESN, replay window 128; its time includes starting the process), ")
                .append("alternating, after one warm-up of each. Checked once per run with iproute2: `ip xfrm state count` after each tool's adds ")
                .append("and deletes, and `ip xfrm state list nokeys` of both tools' SAs compared.\n\n")
                .append("| SAs per run | MPSec pairs/s | ip -batch pairs/s | ratio (median) | ratio range | target | count after adds (MPSec / ip) | listings alike | left after |\n")
                .append("|---|---|---|---|---|---|---|---|---|\n");
        List<Double> rr = numbers(sa.get("roundRatios"));
        md.append(f("| %s | %.0f | %.0f | %.2f | %.2f-%.2f (%d rounds) | >= 1.0: %s | %.0f / %.0f | %s | %.0f |\n\n", sa.get("sas"),
                num(sa.get("mpsecPerSecond")), num(sa.get("ipBatchPerSecond")), num(sa.get("ratio")),
                rr.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN), rr.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN),
                rr.size(), met(num(sa.get("ratio")) >= 1.0), num(sa.get("ipCountAfterMpsecAdd")), num(sa.get("ipCountAfterIpAdd")),
                Boolean.TRUE.equals(sa.get("sameListing")) ? "yes" : "**no**", num(sa.get("ipCountAfter"))));
        md.append(f("Per SA add + delete: MPSec %.0f us, ip -batch %.0f us.\n\n", 1e6 / num(sa.get("mpsecPerSecond")),
                1e6 / num(sa.get("ipBatchPerSecond"))));

        md.append("### IPsec: ESP against cleartext\n\nOn two unshaped veth paths (HTB at 1000 Mbit/s, far above what the emulation moves): ")
                .append("TCP on path 1 (`net.mptcp.enabled=0`, `MpsecSocket` falls back) and MPTCP over both paths, each in clear and over ESP ")
                .append("installed by MPSec's `SecurePaths` (AES-256-GCM transport SAs on every address pair, fail-closed), back to back per round. ")
                .append("Every ESP transfer is checked against the client's outbound SA byte counters; every stream's byte count and CRC-32 at its end.\n\n")
                .append("| transfer | clear Mbit/s | ESP Mbit/s | ESP / clear (median) | per round |\n|---|---|---|---|---|\n");
        List<Map<String, Object>> rounds = (List<Map<String, Object>>) esp.getOrDefault("perRound", List.of());
        for (String t : List.of("tcp", "mptcp")) {
            StringBuilder per = new StringBuilder();
            for (Map<String, Object> r : rounds) {
                per.append(per.length() == 0 ? "" : ", ").append(f("%.2f", num(r.get(t + "Ratio"))));
            }
            md.append(f("| %s | %.1f | %.1f | %.2f | %s |\n", t.equals("tcp") ? "TCP, 1 path" : "MPTCP, 2 paths", num(esp.get(t + "ClearMbit")),
                    num(esp.get(t + "EspMbit")), num(esp.get(t + "Ratio")), per));
        }
        md.append('\n');

        md.append("### Rekey under load\n\nAn MPTCP stream over ESP on both paths; after a window untouched, both hosts switch their outbound SAs ")
                .append("to the next generation (`SecurePaths.rekeyOutbound()`, client then server; the peers' inbound SAs were installed ahead), ")
                .append("and the stream runs another window of the same length. The figure is the receiver's longest pause in each window ")
                .append("(a pause counts in the window it ended in; the second window starts with the rekey calls).\n\n")
                .append("| window s | longest pause without rekey ms | longest pause with the rekey ms | rekey calls (client, both) ms | bytes on the new generation | stream intact |\n")
                .append("|---|---|---|---|---|---|\n");
        md.append(f("| %s | %.0f | %.0f | %.0f, %.0f | %.0f | %.0f bytes, CRC-32 checked |\n\n", esp.get("seconds"), num(rekey.get("baselineLongestGapMillis")),
                num(rekey.get("rekeyLongestGapMillis")), num(rekey.get("clientRekeyCallMillis")), num(rekey.get("bothRekeyCallsMillis")),
                num(rekey.get("newGenerationOutBytes")), num(rekey.get("streamBytes"))));

        unbalanced(md, u);
    }

    @SuppressWarnings("unchecked")
    private void unbalanced(StringBuilder md, Map<String, Object> u) {
        List<Map<String, Object>> rounds = (List<Map<String, Object>>) u.getOrDefault("perRound", List.of());
        List<Object> d = u.get("delaysMillis") instanceof List<?> l ? (List<Object>) l : List.of();
        md.append("### Unbalanced delay\n\n")
                .append(f("Two paths of %s Mbit/s each (HTB on both hosts), netem delay %s ms on path 1 and %s ms on path 2 ",
                        u.get("rateMbit"), d.isEmpty() ? "?" : d.get(0), d.isEmpty() ? "?" : d.get(d.size() - 1)))
                .append(f("under the server's HTB class (the ACK direction; the round trip grows by the delay), the client's data queue a byte FIFO of %d KiB ", DelayUnbalanced.QUEUE_BYTES / 1024))
                .append("(about 100 ms at 5 Mbit/s) so that no queue of seconds hides the delay difference. `MpsecSocket` over both paths ")
                .append("as a fraction of the sum of each path alone in the same round. Low rates because of the emulation.\n\n")
                .append("| round | path 1 alone Mbit/s | path 2 alone Mbit/s | both Mbit/s | fraction of the sum | target | paths in use | MPTCP retransmits |\n")
                .append("|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : rounds) {
            List<Double> alone = numbers(r.get("aloneMbit"));
            double retr = num(r.get("mptcpRetransmits"));
            md.append(f("| %.0f | %.2f | %.2f | %.2f | %.3f | >= 0.90: %s | %.0f | %s |\n", num(r.get("round")), alone.isEmpty() ? Double.NaN : alone.get(0),
                    alone.size() < 2 ? Double.NaN : alone.get(1), num(r.get("togetherMbit")), num(r.get("fractionOfSum")),
                    met(num(r.get("fractionOfSum")) >= 0.90), num(r.get("pathsInUse")),
                    retr < 0 ? "n/a (not in 6.1's MPTCP_INFO)" : f("%.0f", retr)));
        }
        md.append(f("\nMedian fraction of the sum: **%.3f** (target >= 0.90: %s).\n\n", num(u.get("fractionOfSum")), met(num(u.get("fractionOfSum")) >= 0.90)));
        if (rounds.isEmpty()) {
            return;
        }
        md.append("Where the throughput goes, per round (a path's part of the combined transfer = its HTB share x the combined rate; ")
                .append("subflow RTT and cwnd from MPTCP_TCPINFO at the end of the window):\n\n")
                .append("| round | path | alone Mbit/s | in the combined transfer Mbit/s | of its rate alone | subflow RTT ms | subflow cwnd |\n")
                .append("|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : rounds) {
            List<Double> alone = numbers(r.get("aloneMbit"));
            List<Double> shares = numbers(r.get("shares"));
            for (int p = 0; p < alone.size() && p < shares.size(); p++) {
                String local = "198.18." + (p + 1) + ".1";
                String rtt = "-";
                String cwnd = "-";
                for (Map<String, Object> s : (List<Map<String, Object>>) r.getOrDefault("subflows", List.of())) {
                    if (local.equals(s.get("local"))) {
                        rtt = f("%.1f", num(s.get("rttMicros")) / 1000);
                        cwnd = String.valueOf(s.get("cwnd"));
                    }
                }
                double part = shares.get(p) * num(r.get("togetherMbit"));
                md.append(f("| %.0f | %d | %.2f | %.2f | %.0f%% | %s | %s |\n", num(r.get("round")), p + 1, alone.get(p), part,
                        100 * part / alone.get(p), rtt, cwnd));
            }
        }
        md.append("\nClient MIB counters over the combined window (`nstat`, changed ones only):\n\n");
        for (Map<String, Object> r : rounds) {
            md.append(f("- round %.0f: `%s`\n", num(r.get("round")), r.getOrDefault("mib", Map.of())));
        }
        md.append('\n').append(explainUnbalanced(rounds, d)).append(losses(rounds)).append("\n\n");
    }

    /** The shortfall in measured terms: which path lost what, and the RTT ratio behind it. */
    @SuppressWarnings("unchecked")
    static String explainUnbalanced(List<Map<String, Object>> rounds, List<Object> delays) {
        List<Double> slowPart = new ArrayList<>();
        List<Double> fastPart = new ArrayList<>();
        List<Double> rttRatio = new ArrayList<>();
        for (Map<String, Object> r : rounds) {
            List<Double> alone = numbers(r.get("aloneMbit"));
            List<Double> shares = numbers(r.get("shares"));
            if (alone.size() < 2 || shares.size() < 2) {
                continue;
            }
            double t = num(r.get("togetherMbit"));
            fastPart.add(shares.get(0) * t / alone.get(0));
            slowPart.add(shares.get(1) * t / alone.get(1));
            double[] rtt = new double[2];
            for (Map<String, Object> s : (List<Map<String, Object>>) r.getOrDefault("subflows", List.of())) {
                int p = "198.18.1.1".equals(s.get("local")) ? 0 : "198.18.2.1".equals(s.get("local")) ? 1 : -1;
                if (p >= 0) {
                    rtt[p] = num(s.get("rttMicros"));
                }
            }
            if (rtt[0] > 0 && rtt[1] > 0) {
                rttRatio.add(rtt[1] / rtt[0]);
            }
        }
        if (fastPart.isEmpty()) {
            return "";
        }
        String fast = delays.isEmpty() ? "path 1" : "the " + delays.get(0) + " ms path";
        String slow = delays.isEmpty() ? "path 2" : "the " + delays.get(delays.size() - 1) + " ms path";
        return f("In the combined transfer %s delivered a median %.0f%% of its rate alone and %s %.0f%% "
                + "(subflow RTT ratio, slow / fast, median %s). The path that falls furthest below its rate alone is where the shortfall is. "
                + "MPTCP delivers in order: data sent on the fast path waits in the receiver until the slow path's earlier data arrives, "
                + "so the connection-level receive window must cover the combined rate times the slow path's RTT; when it does not, the "
                + "scheduler stops feeding the fast path. Retransmissions and the MIB counters above show whether losses (netem's queue "
                + "limit, HTB drops) took part; where they are zero the limit is the window, not loss.", fast, 100 * EfficiencyMain.median(fastPart),
                slow, 100 * EfficiencyMain.median(slowPart), rttRatio.isEmpty() ? "n/a" : f("%.1f", EfficiencyMain.median(rttRatio)));
    }

    /** Per round below the target: the client's loss counters over the combined window, as measured. */
    @SuppressWarnings("unchecked")
    static String losses(List<Map<String, Object>> rounds) {
        StringBuilder b = new StringBuilder();
        for (Map<String, Object> r : rounds) {
            if (num(r.get("fractionOfSum")) >= 0.90) {
                continue;
            }
            Map<String, Object> mib = (Map<String, Object>) r.getOrDefault("mib", Map.of());
            double timeouts = mib.get("TcpExtTCPTimeouts") instanceof Number n ? n.doubleValue() : 0;
            double retrans = mib.get("TcpRetransSegs") instanceof Number n ? n.doubleValue() : 0;
            b.append(f(" Round %.0f (%.3f): %.0f retransmission timeouts and %.0f retransmitted segments on the client during the combined window%s",
                    num(r.get("round")), num(r.get("fractionOfSum")), timeouts, retrans,
                    timeouts > 0 ? ": each timeout stalls its subflow for at least the RTO floor (200 ms), and the in-order receiver "
                            + "waits for the data behind it, so losses, not only the window, took part in this round."
                            : "; no timeouts, so the window and the scheduler, not loss recovery, bound this round."));
        }
        return b.toString();
    }

    private static List<Double> numbers(Object list) {
        List<Double> out = new ArrayList<>();
        if (list instanceof List<?> l) {
            l.forEach(v -> out.add(num(v)));
        }
        return out;
    }
}
