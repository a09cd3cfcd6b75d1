package io.mpsec.ipsec.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerCounterRulesetTest {
    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    static PeerAddresses peers() throws Exception {
        return PeerAddresses.of(List.of(ip("198.18.1.1"), ip("198.18.2.1"), ip("2001:2::1")),
                List.of(ip("198.18.1.2"), ip("2001:2::2")));
    }

    @Test
    void installIsOneTransactionWithSetsCountersMapsAndCountingOnlyRules() throws Exception {
        String t = PeerCounterRuleset.install(peers(), List.of("c1", "eth0.100"));
        assertThat(t).startsWith("add table inet mpsec_stats\n");
        assertThat(t).contains("add element inet mpsec_stats local4 { 198.18.1.1, 198.18.2.1 }\n")
                .contains("add element inet mpsec_stats remote4 { 198.18.1.2 }\n")
                .contains("add element inet mpsec_stats local6 { 2001:2:0:0:0:0:0:1 }\n")
                .contains("add element inet mpsec_stats remote6 { 2001:2:0:0:0:0:0:2 }\n");
        // 6 counters per interface and 6 catch-all ones
        assertThat(t.lines().filter(l -> l.startsWith("add counter "))).hasSize(18)
                .contains("add counter inet mpsec_stats tcp_out_eth0.100", "add counter inet mpsec_stats esp_in");
        assertThat(t).contains("add element inet mpsec_stats esp_in { \"c1\" : esp_in_c1, \"eth0.100\" : esp_in_eth0.100 }");
        // every set, map and chain is flushed before it is filled: running it again replaces, never appends
        for (String[] o : new String[][] {{"set", "local4", "add element"}, {"map", "tcp_out", "add element"},
                {"chain", "peers_in", "add rule"}, {"chain", "prerouting", "add rule"}}) {
            int flush = t.indexOf("flush " + o[0] + " inet mpsec_stats " + o[1] + "\n");
            assertThat(flush).as("flush " + o[1]).isPositive();
            assertThat(flush).as(o[1] + " is flushed before it is filled").isLessThan(t.indexOf(o[2] + " inet mpsec_stats " + o[1] + " "));
        }
        List<String> rules = t.lines().filter(l -> l.startsWith("add rule ")).toList();
        assertThat(rules).hasSize(4 + 16);
        assertThat(rules).noneMatch(r -> r.contains(" drop") || r.contains("reject") || r.contains("accept"));
        assertThat(rules).allMatch(r -> r.endsWith(" return") || r.contains(" jump peers_"));
        assertThat(t).contains("hook prerouting priority -300; policy accept;").contains("hook postrouting priority 300; policy accept;");
    }

    @Test
    void cleartextRulesSkipWhatXfrmDecryptedOrWillEncryptAndNeighbourDiscovery() {
        List<String> in = PeerCounterRuleset.rules().stream().filter(r -> r.startsWith("peers_in ")).toList();
        List<String> out = PeerCounterRuleset.rules().stream().filter(r -> r.startsWith("peers_out ")).toList();
        assertThat(in.get(0)).isEqualTo("peers_in meta l4proto 50 counter name iifname map @esp_in return");
        assertThat(in.get(2)).isEqualTo("peers_in meta secpath exists return");
        assertThat(out.get(2)).isEqualTo("peers_out rt ipsec exists return");
        assertThat(out.get(3)).isEqualTo("peers_out meta l4proto 6 counter name oifname map @tcp_out return");
        assertThat(in.get(5)).contains("icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert");
        assertThat(in.get(7)).isEqualTo("peers_in counter name \"other_in\" return");
    }

    @Test
    void anEmptyFamilyGetsAnEmptySetAndNoElementLine() throws Exception {
        String t = PeerCounterRuleset.install(PeerAddresses.of(List.of(ip("198.18.1.1")), List.of(ip("198.18.1.2"))), List.of());
        assertThat(t).contains("add set inet mpsec_stats local6 { type ipv6_addr; }").doesNotContain("add element inet mpsec_stats local6");
        assertThat(t).doesNotContain("add element inet mpsec_stats esp_in"); // no interface listed: catch-all only
        assertThat(t.lines().filter(l -> l.startsWith("add counter "))).hasSize(6);
    }

    @Test
    void badInterfaceNamesAndPeersAreRefusedWithWhatToDo() throws Exception {
        for (String bad : new String[] {"", "a b", "-x", "way-too-long-name", "eth0;drop", "\"c1\""}) {
            assertThatThrownBy(() -> PeerCounterRuleset.checkInterfaces(List.of(bad)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not supported");
        }
        assertThat(PeerCounterRuleset.checkInterfaces(List.of("c1", "c1", "veth_x-1.2"))).containsExactly("c1", "veth_x-1.2");
        assertThatThrownBy(() -> PeerAddresses.of(List.of(), List.of(ip("198.18.1.2")))).hasMessageContaining("no local peer address");
        assertThatThrownBy(() -> PeerAddresses.of(List.of(ip("198.18.1.1")), List.of(ip("198.18.1.1"))))
                .hasMessageContaining("both a local and a remote");
        assertThatThrownBy(() -> PeerAddresses.of(List.of(ip("0.0.0.0")), List.of(ip("198.18.1.1")))).hasMessageContaining("wildcard");
    }

    @Test
    void parsesNftListingsIntoInterfaces() {
        String listing = "table inet mpsec_stats {\n\tcounter tcp_in_c1 {\n\t\tpackets 12 bytes 3456\n\t}\n"
                + "\tcounter esp_out_c1 {\n\t\tpackets 7 bytes 900\n\t}\n\tcounter other_in {\n\t\tpackets 1 bytes 84\n\t}\n}\n";
        Map<String, TrafficCount> raw = PeerCounterRuleset.parseCounters(listing);
        assertThat(raw).containsEntry("tcp_in_c1", new TrafficCount(12, 3456)).hasSize(3);
        Map<String, InterfaceTraffic> by = PeerCounterRuleset.byInterface(List.of("c1", "c2"), raw);
        assertThat(by).containsOnlyKeys("c1", "c2", PeerTrafficCounters.UNLISTED);
        assertThat(by.get("c1").tcpIn()).isEqualTo(new TrafficCount(12, 3456));
        assertThat(by.get("c1").espOut()).isEqualTo(new TrafficCount(7, 900));
        assertThat(by.get("c2")).isEqualTo(InterfaceTraffic.zero("c2"));
        assertThat(by.get(PeerTrafficCounters.UNLISTED).otherIn()).isEqualTo(new TrafficCount(1, 84));
        assertThat(by.get("c1").verdict()).isEqualTo(TrafficVerdict.CLEARTEXT);
        assertThat(by.get("c2").verdict()).isEqualTo(TrafficVerdict.UNKNOWN);
    }

    @Test
    void completeNeedsBothHooksAndTheMaps() {
        assertThat(PeerCounterRuleset.complete("hook prerouting hook postrouting jump peers_in jump peers_out map @esp_in "
                + "map @tcp_out map @other_in")).isTrue();
        assertThat(PeerCounterRuleset.complete("hook prerouting jump peers_in map @esp_in")).isFalse();
        assertThat(PeerCounterRuleset.remove()).isEqualTo("add table inet mpsec_stats\ndelete table inet mpsec_stats\n");
    }
}
