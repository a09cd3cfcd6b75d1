package io.mpsec.ipsec.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.api.Test;

/**
 * The classification of real captures (test resources wire/, see capture.sh there for the commands):
 * 802.1Q and stacked 802.1ad tags, IPv6 extension headers and fragments, MLD behind a hop-by-hop
 * header, Linux cooked captures on "any" (SLL and SLL2), TCP under AH and under ESP. Each is
 * cross-checked with what tcpdump itself decoded from the same pcap.
 */
class PacketCounterCaptureTest {
    static final List<String> CAPTURES = WireCapture.ALL;

    @ParameterizedTest
    @FieldSource("CAPTURES")
    void countsAgreeWithTcpdumpAndNothingIsUnknown(String name) {
        WireCapture c = WireCapture.load(name);
        WireReport r = c.count();
        assertThat(r.cleartextTcpPackets()).as("%s: cleartext TCP, as tcpdump decoded it", name).isEqualTo(c.tcpdumpTcp());
        assertThat(r.espPackets()).as("%s: ESP, as tcpdump decoded it", name).isEqualTo(c.tcpdumpEsp());
        assertThat(r.unknownPackets()).as("%s: every frame of this capture is readable", name).isZero();
        assertThat(c.frames()).as("%s: frames, as tcpdump listed them", name).hasSize(c.tcpdumpFrames());
    }

    @ParameterizedTest
    @FieldSource("CAPTURES")
    void everyFrameWithTheMarkerIsCleartextTcp(String name) {
        WireCapture c = WireCapture.load(name);
        for (byte[] f : c.frames()) {
            if (PacketCounter.contains(f, WireCapture.MARKER)) {
                assertThat(FrameClassifier.classify(f, c.link())).as("%s: a frame carrying the marker", name)
                        .isEqualTo(FrameClassifier.Verdict.CLEARTEXT_TCP);
            }
        }
    }

    @Test
    void tcpBehindVlanTagsIsCleartext() {
        for (String name : List.of("vlan-8021q", "vlan-qinq", "vlan-cooked-any")) {
            WireReport r = WireCapture.load(name).count();
            assertThat(r.markerFound()).as(name).isTrue();
            assertThat(r.cleartextTcpPackets()).as(name).isGreaterThan(3);
            assertThat(r.provesNoCleartext()).as(name).isFalse();
        }
        // the stacked capture really is 802.1ad outside 802.1Q
        byte[] f = WireCapture.load("vlan-qinq").frames().stream().filter(x -> PacketCounter.contains(x, WireCapture.MARKER))
                .findFirst().orElseThrow();
        assertThat(new byte[] {f[12], f[13], f[16], f[17]}).containsExactly(0x88, 0xa8, 0x81, 0x00);
    }

    @Test
    void tcpBehindIpv6ExtensionHeadersIsCleartext() {
        WireCapture c = WireCapture.load("ipv6-exthdr-tcp");
        long withHopByHop = c.frames().stream().filter(f -> (f[12] & 0xff) == 0x86 && (f[13] & 0xff) == 0xdd && f[20] == 0)
                .filter(f -> FrameClassifier.classify(f, c.link()) == FrameClassifier.Verdict.CLEARTEXT_TCP).count();
        assertThat(withHopByHop).as("TCP segments behind hop-by-hop, routing and destination options").isGreaterThan(3);
        assertThat(c.count().markerFound()).isTrue();
    }

    @Test
    void ipv6FragmentsAndMldAreReadableNonTcp() {
        for (String name : List.of("ipv6-frag", "ipv6-mld-hbh")) {
            WireReport r = WireCapture.load(name).count();
            assertThat(r.totalPackets()).as(name).isPositive();
            assertThat(r.cleartextTcpPackets()).as(name).isZero();
            assertThat(r.unknownPackets()).as(name).isZero();
        }
        long fragments = WireCapture.load("ipv6-frag").frames().stream().filter(f -> f[20] == 44).count();
        assertThat(fragments).as("frames with a fragment header (ping -s 3000 over a 1500-byte MTU)").isGreaterThan(2);
    }

    @Test
    void ahProtectedTcpIsStillCleartextAndEspIsNot() {
        WireReport ah = WireCapture.load("ah-tcp").count();
        assertThat(ah.markerFound()).isTrue();
        assertThat(ah.cleartextTcpPackets()).isGreaterThan(3);
        assertThat(ah.espPackets()).isZero();
        WireReport esp = WireCapture.load("esp-tcp").count();
        assertThat(esp.espPackets()).isGreaterThan(3);
        assertThat(esp.markerFound()).isFalse();
        assertThat(esp.cleartextTcpPackets()).isZero();
        assertThat(esp.withDropped(0).provesNoCleartext()).isTrue();
        assertThat(esp.provesNoCleartext()).as("drops not measured").isFalse();
    }

    @Test
    void cookedCapturesOnAnyAreRead() {
        assertThat(WireCapture.load("cooked-any-sll").link()).isEqualTo(PacketCounter.LinkType.LINUX_SLL);
        assertThat(WireCapture.load("cooked-any-sll2").link()).isEqualTo(PacketCounter.LinkType.LINUX_SLL2);
        for (String name : List.of("cooked-any-sll", "cooked-any-sll2")) {
            WireReport r = WireCapture.load(name).count();
            assertThat(r.markerFound()).as(name).isTrue();
            assertThat(r.cleartextTcpPackets()).as(name).isGreaterThan(3);
        }
    }
}
