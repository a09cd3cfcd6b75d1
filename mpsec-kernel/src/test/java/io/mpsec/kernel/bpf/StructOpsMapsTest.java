package io.mpsec.kernel.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Map names as the kernel keeps them. Observed with {@code bpftool map show} on Linux 6.18 after
 * loading mpsec_olia.bpf.o and mpsec_balia.bpf.o: {@code name mpsec_olia_conn}, {@code name mpsec_balia_con}.
 */
class StructOpsMapsTest {
    @Test
    void namesLongerThan15CharactersAreCutAsTheKernelCutsThem() {
        assertThat(StructOpsMaps.kernelName("mpsec_olia_conns")).isEqualTo("mpsec_olia_conn");
        assertThat(StructOpsMaps.kernelName("mpsec_balia_conns")).isEqualTo("mpsec_balia_con");
    }

    @Test
    void shorterNamesAreKept() {
        assertThat(StructOpsMaps.kernelName("mpsec_lia_conns")).isEqualTo("mpsec_lia_conns");
        assertThat(StructOpsMaps.kernelName("mpsec_wv_conns")).isEqualTo("mpsec_wv_conns");
        assertThat(StructOpsMaps.kernelName("mpsec_olia")).isEqualTo("mpsec_olia");
    }
}
