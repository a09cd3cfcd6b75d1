package io.mpsec.kernel.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mpsec.kernel.ffi.Bytes;
import org.junit.jupiter.api.Test;

class BaliaConnectionTest {
    @Test
    void alphaIsTheFastestRateOverThePathsRate() {
        // x = 40/10 = 4 and 10/20 = 0.5
        double[] a = BaliaConnection.alphas(new double[] {40, 10}, new double[] {10, 20});
        assertThat(a[0]).isCloseTo(1, within(1e-12));
        assertThat(a[1]).isCloseTo(8, within(1e-12));
    }

    @Test
    void onePathIsReno() {
        // x / (rtt x^2) * (1+1)/2 * (4+1)/5 = 1 / w
        assertThat(BaliaConnection.increase(new double[] {50}, new double[] {7}, 0)).isCloseTo(1.0 / 50, within(1e-12));
        assertThat(new BaliaConnection.Subflow(1, 50, 7000, 1.0, 0).lossDecrease()).isEqualTo(0.5);
    }

    @Test
    void increaseFollowsThePaper() {
        double[] w = {40, 10};
        double[] rtt = {10, 20};
        double sum = 4 + 0.5;
        assertThat(BaliaConnection.increase(w, rtt, 1)).isCloseTo(0.5 / (20 * sum * sum) * (1 + 8) / 2 * (4 + 8) / 5, within(1e-12));
        assertThat(new BaliaConnection.Subflow(1, 10, 20000, 8, 0).lossDecrease()).as("min(alpha, 1.5) / 2").isEqualTo(0.75);
    }

    @Test
    void parsesTheMapValueLayout() {
        byte[] v = new byte[BaliaConnection.SIZE];
        putLong(v, 8, 0xffff8881_00001000L);   // slot 1 owned
        Bytes.putIntLE(v, 64 + 4, 30);         // cwnd
        Bytes.putIntLE(v, 96 + 4, 1500);       // rtt
        Bytes.putIntLE(v, 128 + 4, 40001);     // sport
        Bytes.putIntLE(v, 160 + 4, 2560);      // alpha 2.5
        Bytes.putIntLE(v, 192 + 4, 4);         // losses
        Bytes.putIntLE(v, 224, 0xc000f59f);
        putLong(v, 240, 77);

        BaliaConnection c = BaliaConnection.parse(v);

        assertThat(c.token()).isEqualTo(0xc000f59fL);
        assertThat(c.updates()).isEqualTo(77);
        assertThat(c.subflows()).containsExactly(new BaliaConnection.Subflow(40001, 30, 1500, 2.5, 4));
    }

    private static void putLong(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }
}
