package io.mpsec.kernel.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CallbackRepairsTest {
    @Test
    void readsTheTwoLittleEndianCountersAtTheStartOfTheBss() {
        byte[] bss = new byte[24];
        bss[0] = 3;            // mpsec_repaired_cwnd = 3
        bss[8] = 0x10;         // mpsec_repaired_ssthresh = 0x0110 = 272
        bss[9] = 0x01;
        bss[16] = 99;          // a later variable of the object: ignored
        assertThat(CallbackRepairs.parse(bss)).isEqualTo(new CallbackRepairs(3, 272));
    }

    @Test
    void refusesAValueTooShortForTheCounters() {
        assertThatThrownBy(() -> CallbackRepairs.parse(new byte[8]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("8 bytes");
    }
}
