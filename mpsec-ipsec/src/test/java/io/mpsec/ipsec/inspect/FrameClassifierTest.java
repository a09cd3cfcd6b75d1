package io.mpsec.ipsec.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.ipsec.inspect.FrameClassifier.Verdict;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Frames the inspector must not call readable: each starts from a real captured IPv4 TCP packet
 * (wire/cooked-any-sll.txt, the first frame with the marker) put in an Ethernet frame, then changed
 * the way another network would carry it (a tunnel, a truncation, a fragment...).
 */
class FrameClassifierTest {
    static final PacketCounter.LinkType ETH = PacketCounter.LinkType.ETHERNET;

    /** The IPv4 packet of a real TCP segment carrying the marker. */
    static byte[] realIpv4Tcp() {
        byte[] sll = WireCapture.load("cooked-any-sll").frames().stream()
                .filter(f -> PacketCounter.contains(f, WireCapture.MARKER)).findFirst().orElseThrow();
        byte[] ip = Arrays.copyOfRange(sll, FrameClassifier.SLL_HLEN, sll.length);
        assertThat(ip[0] >> 4).isEqualTo(4);
        assertThat(ip[9]).isEqualTo((byte) 6);
        return ip;
    }

    static byte[] ether(int type, byte[] payload) {
        byte[] f = new byte[14 + payload.length];
        f[12] = (byte) (type >> 8);
        f[13] = (byte) type;
        System.arraycopy(payload, 0, f, 14, payload.length);
        return f;
    }

    static byte[] withProto(byte[] ip, int proto) {
        byte[] c = ip.clone();
        c[9] = (byte) proto;
        return c;
    }

    @Test
    void theRealPacketIsCleartextTcp() {
        assertThat(FrameClassifier.classify(ether(0x0800, realIpv4Tcp()), ETH)).isEqualTo(Verdict.CLEARTEXT_TCP);
        assertThat(FrameClassifier.classify(realIpv4Tcp(), PacketCounter.LinkType.RAW_IP)).isEqualTo(Verdict.CLEARTEXT_TCP);
    }

    @Test
    void encapsulationsItDoesNotOpenAreUnknown() {
        byte[] ip = realIpv4Tcp();
        assertThat(FrameClassifier.classify(ether(0x8847, ip), ETH)).as("MPLS").isEqualTo(Verdict.UNKNOWN);
        assertThat(FrameClassifier.classify(ether(0x8864, ip), ETH)).as("PPPoE").isEqualTo(Verdict.UNKNOWN);
        assertThat(FrameClassifier.classify(ether(0x88e5, ip), ETH)).as("MACsec").isEqualTo(Verdict.UNKNOWN);
        assertThat(FrameClassifier.classify(ether(0x0800, withProto(ip, 47)), ETH)).as("GRE").isEqualTo(Verdict.UNKNOWN);
        assertThat(FrameClassifier.classify(ether(0x0800, withProto(ip, 115)), ETH)).as("L2TPv3").isEqualTo(Verdict.UNKNOWN);
        assertThat(FrameClassifier.classify(ether(0x0800, withProto(ip, 108)), ETH)).as("IPCOMP").isEqualTo(Verdict.UNKNOWN);
        byte[] vxlan = withProto(ip, 17);
        int l4 = (vxlan[0] & 0x0f) * 4;
        vxlan[l4 + 2] = (byte) (4789 >> 8);
        vxlan[l4 + 3] = (byte) 4789;
        assertThat(FrameClassifier.classify(ether(0x0800, vxlan), ETH)).as("VXLAN").isEqualTo(Verdict.UNKNOWN);
        assertThat(FrameClassifier.classify(realIpv4Tcp(), PacketCounter.LinkType.UNSUPPORTED)).isEqualTo(Verdict.UNKNOWN);
    }

    @Test
    void brokenHeadersAreUnknown() {
        byte[] ip = realIpv4Tcp();
        assertThat(FrameClassifier.classify(ether(0x0800, Arrays.copyOf(ip, 10)), ETH)).as("truncated").isEqualTo(Verdict.UNKNOWN);
        byte[] ihl = ip.clone();
        ihl[0] = 0x43;
        assertThat(FrameClassifier.classify(ether(0x0800, ihl), ETH)).as("IHL 3").isEqualTo(Verdict.UNKNOWN);
        byte[] v = ip.clone();
        v[0] = 0x55;
        assertThat(FrameClassifier.classify(ether(0x0800, v), ETH)).as("version 5").isEqualTo(Verdict.UNKNOWN);
        assertThat(FrameClassifier.classify(new byte[13], ETH)).as("shorter than Ethernet").isEqualTo(Verdict.UNKNOWN);
        byte[] tags = ether(0x8100, new byte[40]);
        for (int i = 14; i < tags.length - 2; i += 4) {
            tags[i + 2] = (byte) 0x81; // a tag after a tag after a tag...
        }
        assertThat(FrameClassifier.classify(tags, ETH)).as("endless tags").isEqualTo(Verdict.UNKNOWN);
    }

    @Test
    void fragmentsAndTunnelsItReads() {
        byte[] ip = realIpv4Tcp();
        byte[] later = ip.clone();
        later[6] = 0x00;
        later[7] = 0x10; // fragment offset 128 bytes: no TCP header, but the protocol says TCP
        assertThat(FrameClassifier.classify(ether(0x0800, later), ETH)).isEqualTo(Verdict.CLEARTEXT_TCP);
        assertThat(FrameClassifier.classify(ether(0x0800, withProto(later, 17)), ETH)).as("later UDP fragment")
                .isEqualTo(Verdict.UNKNOWN);
        // IP in IP: the real packet inside an outer IPv4 header with protocol 4
        byte[] outer = Arrays.copyOf(Arrays.copyOf(ip, 20), 20 + ip.length);
        System.arraycopy(ip, 0, outer, 20, ip.length);
        outer[9] = 4;
        int total = outer.length;
        outer[2] = (byte) (total >> 8);
        outer[3] = (byte) total;
        assertThat(FrameClassifier.classify(ether(0x0800, outer), ETH)).isEqualTo(Verdict.CLEARTEXT_TCP);
        // ESP in UDP on port 4500 (RFC 3948), and IKE there (the zero non-ESP marker)
        byte[] natt = withProto(ip, 17);
        int l4 = 20;
        natt[l4 + 2] = (byte) (4500 >> 8);
        natt[l4 + 3] = (byte) 4500;
        natt[l4 + 8] = 0x11;
        assertThat(FrameClassifier.classify(ether(0x0800, natt), ETH)).isEqualTo(Verdict.ESP);
        Arrays.fill(natt, l4 + 8, l4 + 12, (byte) 0);
        assertThat(FrameClassifier.classify(ether(0x0800, natt), ETH)).isEqualTo(Verdict.OTHER_IP);
        // AH in IPv4 (transport): the TCP behind it is readable
        byte[] ah = new byte[ip.length + 24];
        System.arraycopy(ip, 0, ah, 0, 20);
        ah[9] = 51;
        ah[20] = 6; // next header TCP
        ah[21] = 4; // (4 + 2) * 4 = 24 bytes of AH
        System.arraycopy(ip, 20, ah, 44, ip.length - 20);
        ah[2] = (byte) (ah.length >> 8);
        ah[3] = (byte) ah.length;
        assertThat(FrameClassifier.classify(ether(0x0800, ah), ETH)).isEqualTo(Verdict.CLEARTEXT_TCP);
    }

    @Test
    void controlFramesAreNotCountedAndUnknownNeverProvesAnything() {
        PacketCounter c = new PacketCounter(WireCapture.MARKER);
        c.inspect(ether(0x0806, new byte[28]));
        c.inspect(ether(0x88cc, new byte[40]));
        assertThat(c.report().totalPackets()).isZero();
        c.inspect(ether(0x8847, realIpv4Tcp()));
        WireReport r = c.report();
        assertThat(r.unknownPackets()).isEqualTo(1);
        assertThat(r.totalPackets()).isEqualTo(1);
        assertThat(r.markerFound()).as("the marker is searched in every frame, readable or not").isTrue();
        WireReport espOnly = new WireReport(10, 10, 0, false, 0, 0);
        assertThat(espOnly.provesNoCleartext()).isTrue();
        assertThat(new WireReport(10, 9, 0, false, 0, 1).provesNoCleartext()).isFalse();
    }
}
