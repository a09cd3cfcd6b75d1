package io.mpsec.ipsec.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The frame classification the inspector applies to every captured packet. */
class WireInspectorTest {
    static final byte[] MARKER = "MARK-123".getBytes();

    static byte[] frame(int ethType, int proto, byte[] payload) {
        byte[] f = new byte[14 + 40 + payload.length];
        f[12] = (byte) (ethType >> 8);
        f[13] = (byte) ethType;
        if (ethType == 0x0800) {
            f[14] = 0x45;
            f[14 + 9] = (byte) proto;
        } else {
            f[14] = 0x60;
            f[14 + 6] = (byte) proto;
        }
        System.arraycopy(payload, 0, f, 54, payload.length);
        return f;
    }

    @Test
    void countsEspCleartextTcpAndTheMarker() {
        PacketCounter c = new PacketCounter(MARKER);
        c.inspect(frame(0x0800, 50, new byte[100]));
        c.inspect(frame(0x86dd, 50, new byte[100]));
        c.inspect(frame(0x0800, 17, new byte[10]));
        assertThat(c.report()).isEqualTo(new WireReport(3, 2, 0, false));
        c.inspect(frame(0x86dd, 6, new byte[10]));
        assertThat(c.report()).isEqualTo(new WireReport(4, 2, 1, false));
        c.inspect(frame(0x0800, 6, "xxMARK-123yy".getBytes()));
        assertThat(c.report()).isEqualTo(new WireReport(5, 2, 2, true));
        c.inspect(frame(0x0806, 0, new byte[30])); // ARP: not IP
        assertThat(c.report().totalPackets()).isEqualTo(5);
    }

    @Test
    void markerSearch() {
        assertThat(PacketCounter.contains("xxMARKyy".getBytes(), "MARK".getBytes())).isTrue();
        assertThat(PacketCounter.contains("MARK".getBytes(), "MARK".getBytes())).isTrue();
        assertThat(PacketCounter.contains("MAR".getBytes(), "MARK".getBytes())).isFalse();
        assertThat(PacketCounter.contains("MARxK".getBytes(), "MARK".getBytes())).isFalse();
    }
}
