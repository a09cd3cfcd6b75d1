package io.mpsec.kernel.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mpsec.kernel.ffi.Bytes;
import org.junit.jupiter.api.Test;

class LiaConnectionTest {
    @Test
    void equalPathsGiveAlphaOneHalf() {
        assertThat(LiaConnection.rfc6356Alpha(new double[] {100, 100}, new double[] {10, 10})).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void onePathGivesAlphaOne() {
        assertThat(LiaConnection.rfc6356Alpha(new double[] {50}, new double[] {7})).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void unequalPathsFollowTheRfcFormula() {
        // cwnd 40 and 10, rtt 10 and 20: total 50, max(40/100, 10/400) = 0.4, sum 4 + 0.5 = 4.5
        assertThat(LiaConnection.rfc6356Alpha(new double[] {40, 10}, new double[] {10, 20}))
                .isCloseTo(50 * 0.4 / (4.5 * 4.5), within(1e-12));
    }

    @Test
    void parsesTheMapValueLayout() {
        byte[] v = new byte[LiaConnection.SIZE];
        putLong(v, 0, 0xffff8881_00001000L);   // slot 0 owned
        putLong(v, 16, 0xffff8881_00002000L);  // slot 2 owned, slot 1 free
        Bytes.putIntLE(v, 64, 30);
        Bytes.putIntLE(v, 64 + 4, 99);         // stale value in a free slot: ignored
        Bytes.putIntLE(v, 64 + 8, 12);
        Bytes.putIntLE(v, 96, 1500);
        Bytes.putIntLE(v, 96 + 8, 40000);
        Bytes.putIntLE(v, 128, 0xc000f59f);
        Bytes.putIntLE(v, 132, 2);
        putLong(v, 136, 612_345);
        putLong(v, 144, 77);

        LiaConnection c = LiaConnection.parse(v);

        assertThat(c.token()).isEqualTo(0xc000f59fL);
        assertThat(c.alpha()).isEqualTo(0.612345);
        assertThat(c.updates()).isEqualTo(77);
        assertThat(c.subflows()).containsExactly(new LiaConnection.Subflow(30, 1500), new LiaConnection.Subflow(12, 40000));
    }

    private static void putLong(byte[] b, int off, long v) {
        Bytes.putIntLE(b, off, (int) v);
        Bytes.putIntLE(b, off + 4, (int) (v >>> 32));
    }
}
