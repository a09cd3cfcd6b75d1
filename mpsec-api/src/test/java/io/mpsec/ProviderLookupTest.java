package io.mpsec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** mpsec-api alone (no mpsec-kernel on the class path) explains what is missing. */
class ProviderLookupTest {
    @Test
    void withoutAnImplementationSocketsSayWhichDependencyToAdd() {
        assertThatThrownBy(MpsecSocket::new)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("io.mpsec:mpsec-kernel");
        assertThat(Mptcp.isAvailable()).isFalse();
        assertThat(Mptcp.unavailabilityCause()).hasMessageContaining("mpsec-kernel");
        assertThatThrownBy(Mptcp::ensureAvailability)
                .isInstanceOf(MptcpUnavailableException.class)
                .hasMessageStartingWith("MPTCP is not available: ");
    }

    @Test
    void optionsAreTypedAndNamed() {
        assertThat(MpsecSocketOptions.FALLBACK_POLICY.type()).isEqualTo(FallbackPolicy.class);
        assertThat(MpsecSocketOptions.TCP_CONGESTION.type()).isEqualTo(String.class);
        assertThat(MpsecSocketOptions.TCP_IS_MPTCP.name()).isEqualTo("TCP_IS_MPTCP");
    }

    @Test
    void pathsInUsePrefersSubflowsTotal() {
        MptcpConnectionInfo old = info(2, -1);
        MptcpConnectionInfo recent = info(2, 4);
        assertThat(old.pathsInUse()).isEqualTo(3);
        assertThat(recent.pathsInUse()).isEqualTo(4);
    }

    private static MptcpConnectionInfo info(int subflows, int total) {
        MptcpConnectionInfo.Builder b = MptcpConnectionInfo.builder().subflows(subflows).token(1).structSize(96);
        return (total < 0 ? b : b.subflowsTotal(total)).build();
    }
}
