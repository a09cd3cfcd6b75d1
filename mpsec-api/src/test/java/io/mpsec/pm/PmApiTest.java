package io.mpsec.pm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PmApiTest {
    @Test
    void schedulerMapping() {
        assertThat(Scheduler.named("default")).isSameAs(Scheduler.DEFAULT);
        assertThat(Scheduler.ROUNDROBIN.kernelNames()).startsWith("bpf_rr");
        assertThat(Scheduler.REDUNDANT.kernelNames()).startsWith("bpf_red");
        assertThat(Scheduler.named("bpf_burst").kernelNames()).containsExactly("bpf_burst");
        assertThatThrownBy(() -> Scheduler.named("../x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void congestionControlNames() {
        assertThat(new CongestionControl("OLIA")).isEqualTo(CongestionControl.OLIA);
        assertThat(CongestionControl.WVEGAS.coupled()).isTrue();
        assertThat(CongestionControl.CUBIC.coupled()).isFalse();
        assertThatThrownBy(() -> new CongestionControl("a-very-long-name-x")).hasMessageContaining("TCP_CA_NAME_MAX");
    }

    @Test
    void endpointValidation() throws Exception {
        InetAddress a = InetAddress.getByName("198.18.1.1");
        assertThatThrownBy(() -> new Endpoint(256, a, 0, Set.of(), 0)).hasMessageContaining("0..255");
        assertThatThrownBy(() -> new Endpoint(1, a, 70000, Set.of(), 0)).hasMessageContaining("port");
        assertThatThrownBy(() -> new Endpoint(1, null, 0, Set.of(), 0)).isInstanceOf(NullPointerException.class);
        Endpoint e = Endpoint.of(a, EndpointFlag.SUBFLOW, EndpointFlag.BACKUP);
        assertThat(e.flags()).containsExactly(EndpointFlag.SUBFLOW, EndpointFlag.BACKUP);
        assertThat(e).isEqualTo(new Endpoint(0, a, 0, EnumSet.of(EndpointFlag.BACKUP, EndpointFlag.SUBFLOW), 0));
        assertThatThrownBy(() -> e.flags().add(EndpointFlag.SIGNAL)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> new Limits(-1, 0)).hasMessageContaining("negative");
    }

    @Test
    void missingFeatureMessage() {
        MissingKernelFeatureException e = new MissingKernelFeatureException("MPTCP scheduler 'roundrobin'", "bpf_rr",
                "this kernel has: [default]");
        assertThat(e.getMessage()).isEqualTo("MPTCP scheduler 'roundrobin' is not available: needs bpf_rr; this kernel has: [default]");
        assertThat(e.feature()).isEqualTo("MPTCP scheduler 'roundrobin'");
    }
}
