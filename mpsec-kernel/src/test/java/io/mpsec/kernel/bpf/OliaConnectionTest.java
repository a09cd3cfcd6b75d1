package io.mpsec.kernel.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mpsec.kernel.ffi.Bytes;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OliaConnectionTest {
    @Test
    void theLargestWindowIsNotTheBestPath() {
        // path 0: largest window; path 1: best l/rtt^2 (1e6/100 > 5e5/100)
        OliaConnection.Sets s = OliaConnection.sets(new double[] {100, 40}, new double[] {10, 10}, new double[] {5e5, 1e6}, 0);
        assertThat(s.maxWindow()).containsExactly(0);
        assertThat(s.best()).containsExactly(1);
        assertThat(s.collected()).containsExactly(1);
        assertThat(s.alpha(1, 2)).isCloseTo(0.5, within(1e-12));    // 1 / (n |C|)
        assertThat(s.alpha(0, 2)).isCloseTo(-0.5, within(1e-12));   // -1 / (n |M|)
    }

    @Test
    void whenTheBestPathHasTheLargestWindowAlphaIsZero() {
        OliaConnection.Sets s = OliaConnection.sets(new double[] {100, 40}, new double[] {10, 20}, new double[] {2e6, 1e6}, 0);
        assertThat(s.maxWindow()).isEqualTo(Set.of(0));
        assertThat(s.best()).isEqualTo(Set.of(0));
        assertThat(s.collected()).isEmpty();
        assertThat(s.alpha(0, 2)).isZero();
        assertThat(s.alpha(1, 2)).isZero();
    }

    @Test
    void bestPathsRankByLOverRttSquared() {
        // l 1e6 at rtt 20 (2500) beats l 2e6 at rtt 40 (1250): l/rtt^2, not l/rtt (equal here) or l^2/rtt
        OliaConnection.Sets s = OliaConnection.sets(new double[] {10, 50, 5}, new double[] {20, 40, 10},
                new double[] {1e6, 2e6, 1e4}, 0);
        assertThat(s.best()).containsExactly(0);
        assertThat(s.maxWindow()).containsExactly(1);
        assertThat(s.alpha(0, 3)).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(s.alpha(1, 3)).isCloseTo(-1.0 / 3, within(1e-12));
        assertThat(s.alpha(2, 3)).isZero();
    }

    @Test
    void parsesTheMapValueLayout() {
        byte[] v = new byte[OliaConnection.SIZE];
        putLong(v, 0, 0xffff8881_00001000L);   // slot 0 owned
        putLong(v, 16, 0xffff8881_00002000L);  // slot 2 owned, slot 1 free
        putLong(v, 64, 9_000_000);             // bytes_acked
        putLong(v, 64 + 16, 3_000_000);
        putLong(v, 128, 8_000_000);            // loss_mark
        putLong(v, 192, 2_500_000);            // l1
        putLong(v, 192 + 16, 100);
        putLong(v, 256, 777);                  // quality
        Bytes.putIntLE(v, 328, 30);            // cwnd
        Bytes.putIntLE(v, 328 + 8, 12);
        Bytes.putIntLE(v, 360, 1500);          // rtt
        Bytes.putIntLE(v, 360 + 8, 40000);
        Bytes.putIntLE(v, 392, 40001);         // sport
        Bytes.putIntLE(v, 392 + 8, 40002);
        Bytes.putIntLE(v, 424 + 8, 3);         // losses
        Bytes.putIntLE(v, 456, -500_000);      // alpha
        Bytes.putIntLE(v, 456 + 8, 500_000);
        Bytes.putIntLE(v, 488, 0xc000f59f);    // token
        Bytes.putIntLE(v, 496, 0b100);         // best
        Bytes.putIntLE(v, 500, 0b001);         // max_w
        Bytes.putIntLE(v, 504, 0b100);         // collected
        putLong(v, 520, 77);

        OliaConnection c = OliaConnection.parse(v);

        assertThat(c.token()).isEqualTo(0xc000f59fL);
        assertThat(c.updates()).isEqualTo(77);
        assertThat(c.subflows()).containsExactly(
                new OliaConnection.Subflow(40001, 30, 1500, 9_000_000, 8_000_000, 2_500_000, 0, 777, -0.5, true, false, false),
                new OliaConnection.Subflow(40002, 12, 40000, 3_000_000, 0, 100, 3, 0, 0.5, false, true, true));
        assertThat(c.subflows().get(0).l()).as("max(l1, bytes since the last loss)").isEqualTo(2_500_000);
        assertThat(c.subflows().get(1).l()).isEqualTo(3_000_000);
    }

    private static void putLong(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }
}
