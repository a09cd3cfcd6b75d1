package io.mpsec.ipsec.paths;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The join gate's nftables text: the install and remove transactions, the feature probes, and the
 * parsing of what {@code nft} lists. Pure; {@link JoinGate} runs it.
 *
 * <p>MPTCP option layout (RFC 8684 section 3.1, Linux net/mptcp/protocol.h): TCP option kind 30,
 * length, then the subtype in the upper 4 bits of the third byte; MP_JOIN is subtype 1
 * ({@code MPTCPOPT_MP_JOIN}). It is the only MPTCP option in a join SYN (12 bytes) and SYN/ACK (16
 * bytes). {@code tcp flags syn} matches both (SYN bit set); the third ACK and all later packets of a
 * subflow have no SYN, so established subflows are never touched.
 */
final class GateRuleset {
    static final String FAMILY = "inet";
    static final String TABLE = "mpsec_gate";
    static final String OUT_COUNTER = "joins_refused_out";
    static final String IN_COUNTER = "joins_dropped_in";
    static final String PROBE_TABLE = "mpsec_gate_probe";

    /** MP_JOIN SYN or SYN/ACK: {@code MPTCPOPT_MP_JOIN} = 1 (net/mptcp/protocol.h). */
    static final String JOIN_SYN = "tcp flags syn tcp option mptcp subtype 1";
    static final String OUT_RULE = "oifname != \"lo\" " + JOIN_SYN + " rt ipsec missing counter name \"" + OUT_COUNTER
            + "\" reject with tcp reset comment \"mpsec: MPTCP join without IPsec\"";
    static final String IN_RULE = "iifname != \"lo\" " + JOIN_SYN + " meta secpath missing counter name \"" + IN_COUNTER
            + "\" drop comment \"mpsec: MPTCP join without IPsec\"";

    private static final Pattern COUNTER = Pattern.compile("counter\\s+(\\S+)\\s*\\{\\s*packets\\s+(\\d+)\\s+bytes\\s+(\\d+)");

    private GateRuleset() {
    }

    /**
     * One transaction ({@code nft -f -} applies a file atomically): creates what is missing, keeps the
     * named counters (re-adding an existing counter leaves its values), and replaces the two chains'
     * rules, so running it again changes nothing but a changed rule.
     */
    static String install() {
        String t = FAMILY + " " + TABLE;
        return "add table " + t + "\n"
                + "add counter " + t + " " + OUT_COUNTER + "\n"
                + "add counter " + t + " " + IN_COUNTER + "\n"
                + "add chain " + t + " output { type filter hook output priority 0; policy accept; }\n"
                + "add chain " + t + " input { type filter hook input priority 0; policy accept; }\n"
                + "flush chain " + t + " output\n"
                + "flush chain " + t + " input\n"
                + "add rule " + t + " output " + OUT_RULE + "\n"
                + "add rule " + t + " input " + IN_RULE + "\n";
    }

    /** Removes the table whether or not it exists (create-then-delete in one transaction). */
    static String remove() {
        return "add table " + FAMILY + " " + TABLE + "\ndelete table " + FAMILY + " " + TABLE + "\n";
    }

    /** A kernel or nft feature the gate needs, checked with {@code nft -c} (nothing is committed). */
    record Probe(String feature, String requirement, String expression, String script) {
    }

    static List<Probe> probes() {
        String t = FAMILY + " " + PROBE_TABLE;
        String base = "add table " + t + "\nadd chain " + t + " c { type filter hook output priority 0; policy accept; }\n";
        return List.of(
                new Probe("nftables (nf_tables) with the inet family",
                        "a kernel built with CONFIG_NF_TABLES and CONFIG_NF_TABLES_INET", "table inet", base),
                new Probe("nftables named counters", "Linux 4.10+ with CONFIG_NF_TABLES", "counter", base
                        + "add counter " + t + " n\n"),
                new Probe("nftables matching of the MPTCP TCP option ('tcp option mptcp subtype')",
                        "Linux 5.6+ (MPTCP) with CONFIG_NF_TABLES (TCP option matching is part of nf_tables)",
                        "tcp option mptcp", base + "add rule " + t + " c " + JOIN_SYN + " counter\n"),
                new Probe("nftables IPsec route match ('rt ipsec', NFT_RT_XFRM)", "Linux 4.20+ with CONFIG_XFRM",
                        "rt ipsec", base + "add rule " + t + " c rt ipsec missing counter\n"),
                // the kernel accepts 'meta secpath' only in prerouting, input and forward chains
                // (net/netfilter/nft_meta.c, nft_meta_get_validate_xfrm), as the gate uses it: probing it
                // in the output chain failed on Linux 6.1, which validates the hook at commit time
                new Probe("nftables IPsec input match ('meta secpath', NFT_META_SECPATH)", "Linux 4.16+ with CONFIG_XFRM",
                        "meta secpath", "add table " + t + "\nadd chain " + t
                        + " i { type filter hook input priority 0; policy accept; }\nadd rule " + t + " i meta secpath missing counter\n"),
                new Probe("nftables TCP reset reject ('reject with tcp reset')",
                        "a kernel built with CONFIG_NFT_REJECT and CONFIG_NFT_REJECT_INET (module nft_reject_inet)",
                        "reject with tcp reset", base + "add rule " + t + " c meta l4proto tcp reject with tcp reset\n"));
    }

    /** Whether a listing of the table ({@code nft list table inet mpsec_gate}) holds both gate rules. */
    static boolean hasBothRules(String listing) {
        return listing.contains("hook output") && listing.contains("hook input")
                && listing.contains("rt ipsec missing") && listing.contains("reject with tcp reset")
                // nft 1.0.6 lists 'meta secpath' as 'meta ipsec'
                && (listing.contains("meta ipsec missing") || listing.contains("meta secpath missing"));
    }

    /** Packets per named counter in {@code nft list counters table ...} output. */
    static Map<String, Long> counters(String listing) {
        Map<String, Long> out = new HashMap<>();
        Matcher m = COUNTER.matcher(listing);
        while (m.find()) {
            out.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return out;
    }

    /** Whether nft's error says that the table does not exist. */
    static boolean noSuchTable(String stderr) {
        return stderr.contains("No such file or directory");
    }

    /** Whether nft's error says that nft itself could not parse the text (an nft too old for the syntax). */
    static boolean syntaxError(String stderr) {
        return stderr.contains("syntax error") || stderr.contains("Could not parse");
    }

    /** Whether nft's error says that the caller lacks CAP_NET_ADMIN. */
    static boolean notPermitted(String stderr) {
        return stderr.contains("Operation not permitted");
    }

    /** The first line of nft's error that says {@code Error:}, else the first non-empty line. */
    static String firstError(String stderr) {
        String first = null;
        for (String l : stderr.split("\n")) {
            String s = l.strip();
            if (s.isEmpty()) {
                continue;
            }
            if (s.contains("Error:")) {
                return s;
            }
            if (first == null) {
                first = s;
            }
        }
        return first == null ? "(no message)" : first;
    }
}
