package io.mpsec.kernel.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class WvegasConnectionTest {
    /**
     * An entry of mpsec_wv_conns as the real kernel produced it (Linux 6.18, 2 subflows on 100 + 100
     * Mbit/s HTB paths, {@code bpftool map dump name mpsec_wv_conns -j}, field "value"). Only the two
     * owner pointers (kernel socket addresses) were replaced by 1 and 2. bpftool decoded the same bytes
     * through the object's BTF (field "formatted"): the expectations below are its numbers.
     */
    private static final byte[] KERNEL_ENTRY = HexFormat.of().parseHex(""
            + "01000000000000000200000000000000" + "0000000000000000000000000000000000000000000000000000000000000000"
            + "000000000000000000000000000000000700000003000000000000000000000000000000000000000000000000000000"
            + "440200002d02000000000000000000000000000000000000000000000000000081000000040000000000000000000000"
            + "000000000000000000000000000000006cbc00008fc40000000000000000000000000000000000000000000000000000"
            + "b9960000385a00000000000000000000000000000000000000000000000000008c170000180e00000000000000000000"
            + "00000000000000000000000000000000a9120000e50f0000000000000000000000000000000000000000000000000000"
            + "6e0000005300000000000000000000000000000000000000000000000000000050cb83c302000000331d000000000000");

    @Test
    void parsesAnEntryTheKernelWrote() {
        WvegasConnection c = WvegasConnection.parse(KERNEL_ENTRY);

        // bpftool: token 3280194384, rounds 7475, cwnd [7, 3], rtt_us [580, 557], base_rtt_us [129, 4],
        // sport [48236, 50319], weight [38585, 23096], alpha [6028, 3608], diff [4777, 4069], backoffs [110, 83]
        assertThat(c.token()).isEqualTo(3280194384L);
        assertThat(c.rounds()).isEqualTo(7475);
        assertThat(c.subflows()).containsExactly(
                new WvegasConnection.Subflow(48236, 7, 580, 129, 38585 / 65536.0, 6028 / 1024.0, 4777 / 1024.0, 110),
                new WvegasConnection.Subflow(50319, 3, 557, 4, 23096 / 65536.0, 3608 / 1024.0, 4069 / 1024.0, 83));
    }

    @Test
    void theKernelsAlphaIsTotalAlphaTimesItsWeight() {
        // alpha_r = weight_r * total_alpha in the kernel's fixed point (weights 2^-16, alpha 2^-10)
        for (WvegasConnection.Subflow sf : WvegasConnection.parse(KERNEL_ENTRY).subflows()) {
            assertThat(sf.alpha()).isCloseTo(sf.weight() * WvegasConnection.TOTAL_ALPHA, within(1.0 / 1024));
        }
    }

    @Test
    void refusesAValueOfAnotherSize() {
        assertThatThrownBy(() -> WvegasConnection.parse(new byte[248])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("336").hasMessageContaining("248");
    }

    @Test
    void weightsAreSharesOfTheConnectionsRate() {
        // x = 40/10 = 4 and 10/20 = 0.5: shares 8/9 and 1/9
        double[] w = WvegasConnection.weights(new double[] {40, 10}, new double[] {10, 20});
        assertThat(w[0]).isCloseTo(8.0 / 9, within(1e-12));
        assertThat(w[1]).isCloseTo(1.0 / 9, within(1e-12));
        assertThat(WvegasConnection.weights(new double[] {7}, new double[] {3})[0]).as("one path").isEqualTo(1.0);
    }

    @Test
    void diffIsTheBacklogInPackets() {
        // 20 packets, base 1 ms, rtt 1.25 ms: the expected rate 20/ms, the actual 16/ms, 4 packets queued
        assertThat(WvegasConnection.diff(20, 1.0, 1.25)).isCloseTo(4.0, within(1e-12));
        assertThat(WvegasConnection.diff(20, 1.0, 1.0)).as("no queue").isZero();
    }
}
