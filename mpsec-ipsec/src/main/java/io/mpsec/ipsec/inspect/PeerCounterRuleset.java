package io.mpsec.ipsec.inspect;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The nftables text of {@link PeerTrafficCounters}: the install and remove transactions, the names
 * of the counters, and the parsing of {@code nft list counters}. Pure.
 *
 * <h2>Layout of {@code table inet mpsec_stats}</h2>
 * <ul>
 *   <li>Sets {@code local4}, {@code remote4}, {@code local6}, {@code remote6}: the peer addresses.</li>
 *   <li>Named counters {@code <class>_<in|out>_<iface>} for each listed interface and
 *       {@code <class>_<in|out>} for peer traffic on any other interface (class esp, tcp, other).</li>
 *   <li>Maps {@code <class>_<in|out>} from an interface name to its counter ({@code type ifname :
 *       counter}): one rule per class and direction, whatever the number of interfaces. A packet on
 *       an unlisted interface misses the map (the rule does not match) and falls to the next rule,
 *       the catch-all counter.</li>
 *   <li>Base chains {@code prerouting} (priority -300, before any filter can drop what already
 *       arrived) and {@code postrouting} (priority 300, after every filter: only what really leaves,
 *       so a join refused by {@code mpsec_gate} in output is not counted). A packet between the peers
 *       jumps to {@code peers_in} / {@code peers_out}; all other traffic costs two set lookups.</li>
 * </ul>
 * Every rule accepts or returns; nothing is ever dropped.
 *
 * <h2>Why ESP is not counted twice, nor its cleartext</h2>
 * xfrm runs the netfilter hooks twice per protected packet (net/ipv4/xfrm4_input.c,
 * xfrm4_output.c): inbound, the ESP packet passes prerouting, and after decryption the inner packet
 * passes prerouting again carrying a secpath; outbound, the TCP packet passes postrouting on its way
 * into the transform (its route is an xfrm bundle) and the ESP packet passes it again. So the
 * cleartext rules skip {@code meta secpath exists} (in) and {@code rt ipsec exists} (out): those
 * packets were or will be ESP on the wire, and the ESP rules counted them there.
 *
 * <p>IPv6 neighbour discovery between the peers' global addresses (a unicast neighbour solicitation
 * or advertisement) is not counted: it is link-layer housekeeping, not data.
 *
 * <p>Limits: ESP inside UDP (NAT traversal, RFC 3948, port 4500) is counted as other cleartext, since
 * MPSec's SAs never use UDP encapsulation ({@link PeerInspector} does read it as ESP). Counts are per
 * packet as the stack handles it: a GSO/GRO packet of several segments counts once, exactly as
 * tcpdump on the same interface sees it (xfrm's own SA counters count after segmentation, and so do
 * the ESP counters here, since ESP packets are built per segment).
 */
final class PeerCounterRuleset {
    static final String FAMILY = "inet";
    static final String TABLE = "mpsec_stats";
    /** Interface names the counters accept: what Linux allows that nft takes in an identifier (IFNAMSIZ 16). */
    private static final Pattern IFACE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\-]{0,14}");
    /** At most this many interfaces (6 counters each): bounds the table and the metrics' cardinality. */
    static final int MAX_INTERFACES = 64;
    private static final Pattern COUNTER = Pattern.compile("counter\\s+(\\S+)\\s*\\{\\s*packets\\s+(\\d+)\\s+bytes\\s+(\\d+)");

    private PeerCounterRuleset() {
    }

    /** One counter: its interface ({@code null}: the catch-all), class and direction. */
    record Key(String iface, TrafficClass cls, boolean in) {
        /** The counter's nft name: {@code esp_in_eth0}, or {@code esp_in} for the catch-all. */
        String name() {
            return map() + (iface == null ? "" : "_" + iface);
        }

        /** The name of the map from interface to counter for this class and direction. */
        String map() {
            return mapName(cls, in);
        }
    }

    static String mapName(TrafficClass cls, boolean in) {
        return cls.tag() + (in ? "_in" : "_out");
    }

    /** Checks the interface names; returns them without duplicates, in order. */
    static List<String> checkInterfaces(List<String> interfaces) {
        if (interfaces == null) {
            throw new IllegalArgumentException("the interface list is null; give the interfaces of the secure paths "
                    + "(an empty list counts all peer traffic under '" + PeerTrafficCounters.UNLISTED + "')");
        }
        Set<String> out = new LinkedHashSet<>();
        for (String i : interfaces) {
            if (i == null || !IFACE.matcher(i).matches()) {
                throw new IllegalArgumentException("interface name '" + i + "' is not supported: give 1 to 15 "
                        + "characters of letters, digits, '_', '.' and '-', not starting with '.' or '-'");
            }
            out.add(i);
        }
        if (out.size() > MAX_INTERFACES) {
            throw new IllegalArgumentException(out.size() + " interfaces given; at most " + MAX_INTERFACES + " are counted");
        }
        return List.copyOf(out);
    }

    /** Every counter for {@code interfaces} plus the catch-all ones, by nft name. */
    static Map<String, Key> keys(List<String> interfaces) {
        Map<String, Key> out = new LinkedHashMap<>();
        List<String> all = new ArrayList<>(interfaces);
        all.add(null);
        for (String i : all) {
            for (TrafficClass c : TrafficClass.values()) {
                for (boolean in : new boolean[] {true, false}) {
                    Key k = new Key(i, c, in);
                    out.put(k.name(), k);
                }
            }
        }
        return out;
    }

    /**
     * One transaction ({@code nft -f -} applies the whole file or nothing): creates what is missing,
     * keeps existing counters (re-adding a named counter keeps its values), replaces the sets', maps'
     * and chains' contents. Running it again with the same input changes nothing.
     */
    static String install(PeerAddresses peers, List<String> interfaces) {
        List<String> ifs = checkInterfaces(interfaces);
        String t = FAMILY + " " + TABLE;
        StringBuilder b = new StringBuilder();
        b.append("add table ").append(t).append('\n');
        set(b, t, "local4", "ipv4_addr", peers.local4());
        set(b, t, "remote4", "ipv4_addr", peers.remote4());
        set(b, t, "local6", "ipv6_addr", peers.local6());
        set(b, t, "remote6", "ipv6_addr", peers.remote6());
        for (String name : keys(ifs).keySet()) {
            b.append("add counter ").append(t).append(' ').append(name).append('\n');
        }
        for (TrafficClass c : TrafficClass.values()) {
            for (boolean in : new boolean[] {true, false}) {
                String m = mapName(c, in);
                b.append("add map ").append(t).append(' ').append(m).append(" { type ifname : counter; }\n");
                b.append("flush map ").append(t).append(' ').append(m).append('\n');
                if (!ifs.isEmpty()) {
                    List<String> elems = new ArrayList<>();
                    for (String i : ifs) {
                        elems.add("\"" + i + "\" : " + new Key(i, c, in).name());
                    }
                    b.append("add element ").append(t).append(' ').append(m).append(" { ")
                            .append(String.join(", ", elems)).append(" }\n");
                }
            }
        }
        b.append("add chain ").append(t).append(" prerouting { type filter hook prerouting priority -300; policy accept; }\n");
        b.append("add chain ").append(t).append(" postrouting { type filter hook postrouting priority 300; policy accept; }\n");
        b.append("add chain ").append(t).append(" peers_in\n");
        b.append("add chain ").append(t).append(" peers_out\n");
        for (String ch : List.of("prerouting", "postrouting", "peers_in", "peers_out")) {
            b.append("flush chain ").append(t).append(' ').append(ch).append('\n');
        }
        for (String r : rules()) {
            b.append("add rule ").append(t).append(' ').append(r).append('\n');
        }
        return b.toString();
    }

    private static void set(StringBuilder b, String t, String name, String type, Set<String> elements) {
        b.append("add set ").append(t).append(' ').append(name).append(" { type ").append(type).append("; }\n");
        b.append("flush set ").append(t).append(' ').append(name).append('\n');
        if (!elements.isEmpty()) {
            b.append("add element ").append(t).append(' ').append(name).append(" { ")
                    .append(String.join(", ", elements)).append(" }\n");
        }
    }

    /** The rules, each prefixed with its chain. Protocol numbers: netinet/in.h (IPPROTO_ESP 50, IPPROTO_TCP 6). */
    static List<String> rules() {
        List<String> r = new ArrayList<>();
        r.add("prerouting ip saddr @remote4 ip daddr @local4 jump peers_in");
        r.add("prerouting ip6 saddr @remote6 ip6 daddr @local6 jump peers_in");
        r.add("postrouting ip saddr @local4 ip daddr @remote4 jump peers_out");
        r.add("postrouting ip6 saddr @local6 ip6 daddr @remote6 jump peers_out");
        for (boolean in : new boolean[] {true, false}) {
            String chain = in ? "peers_in " : "peers_out ";
            String dev = in ? "iifname" : "oifname";
            r.add(chain + "meta l4proto 50 counter name " + dev + " map @" + mapName(TrafficClass.ESP, in) + " return");
            r.add(chain + "meta l4proto 50 counter name \"" + mapName(TrafficClass.ESP, in) + "\" return");
            // decrypted by xfrm (in) or about to be encrypted (out): ESP on the wire, counted by the rules above
            r.add(chain + (in ? "meta secpath exists return" : "rt ipsec exists return"));
            r.add(chain + "meta l4proto 6 counter name " + dev + " map @" + mapName(TrafficClass.TCP, in) + " return");
            r.add(chain + "meta l4proto 6 counter name \"" + mapName(TrafficClass.TCP, in) + "\" return");
            r.add(chain + "icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert, "
                    + "nd-redirect } return");
            r.add(chain + "counter name " + dev + " map @" + mapName(TrafficClass.OTHER, in) + " return");
            r.add(chain + "counter name \"" + mapName(TrafficClass.OTHER, in) + "\" return");
        }
        return r;
    }

    /** Removes the table whether or not it exists (create-then-delete in one transaction). */
    static String remove() {
        return "add table " + FAMILY + " " + TABLE + "\ndelete table " + FAMILY + " " + TABLE + "\n";
    }

    /** Whether a listing of the table ({@code nft list table inet mpsec_stats}) holds all its rules. */
    static boolean complete(String listing) {
        return listing.contains("hook prerouting") && listing.contains("hook postrouting")
                && listing.contains("jump peers_in") && listing.contains("jump peers_out")
                && listing.contains("map @esp_in") && listing.contains("map @tcp_out") && listing.contains("map @other_in");
    }

    /** Packets and bytes per named counter in {@code nft list counters table ...} or {@code nft list table} output. */
    static Map<String, TrafficCount> parseCounters(String listing) {
        Map<String, TrafficCount> out = new HashMap<>();
        Matcher m = COUNTER.matcher(listing);
        while (m.find()) {
            out.put(m.group(1), new TrafficCount(Long.parseLong(m.group(2)), Long.parseLong(m.group(3))));
        }
        return out;
    }

    /** The traffic per interface (listed ones, then {@link PeerTrafficCounters#UNLISTED}) from counter values by name. */
    static Map<String, InterfaceTraffic> byInterface(List<String> interfaces, Map<String, TrafficCount> counters) {
        Map<String, InterfaceTraffic> out = new LinkedHashMap<>();
        for (String i : interfaces) {
            out.put(i, InterfaceTraffic.zero(i));
        }
        out.put(PeerTrafficCounters.UNLISTED, InterfaceTraffic.zero(PeerTrafficCounters.UNLISTED));
        for (Map.Entry<String, Key> e : keys(interfaces).entrySet()) {
            TrafficCount v = counters.get(e.getKey());
            if (v != null) {
                Key k = e.getValue();
                String i = k.iface() == null ? PeerTrafficCounters.UNLISTED : k.iface();
                out.put(i, out.get(i).with(k.cls(), k.in(), v));
            }
        }
        return out;
    }

    /** The first line of nft's error that says {@code Error:}, else the first non-empty line. */
    static String firstError(String stderr) {
        String first = null;
        for (String l : stderr.split("\n")) {
            String s = l.strip();
            if (s.contains("Error:")) {
                return s;
            }
            if (first == null && !s.isEmpty()) {
                first = s;
            }
        }
        return first == null ? "(no message)" : first;
    }
}
