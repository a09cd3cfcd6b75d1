package io.mpsec.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TestbedBuilderTest {

    @Test
    void defaultPathsComeFirstThenExplicitOnes() {
        Testbed.Spec spec = Testbed.builder().hosts("c", "s", "r").paths(2, 100).path("c", "r", 50)
                .mptcpLimits(8, 4).spec();
        assertThat(spec.hosts()).containsExactly("c", "s", "r");
        assertThat(spec.paths()).containsExactly(
                new Testbed.PathSpec("c", "s", 100),
                new Testbed.PathSpec("c", "s", 100),
                new Testbed.PathSpec("c", "r", 50));
        assertThat(spec.hasLimits()).isTrue();
        assertThat(spec.subflows()).isEqualTo(8);
        assertThat(spec.addAddrAccepted()).isEqualTo(4);
        assertThat(spec.perClass()).isFalse();
    }

    @Test
    void perClassAndNoLimits() {
        Testbed.Spec spec = Testbed.builder().hosts("a").perClass().spec();
        assertThat(spec.perClass()).isTrue();
        assertThat(spec.hasLimits()).isFalse();
        assertThat(spec.paths()).isEmpty();
    }

    @Test
    void rejectsInvalidTopologies() {
        assertThatThrownBy(() -> Testbed.builder().spec()).hasMessageContaining("at least one host");
        assertThatThrownBy(() -> Testbed.builder().hosts("c", "c").spec()).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> Testbed.builder().hosts("c").paths(1, 10).spec()).hasMessageContaining("needs two hosts");
        assertThatThrownBy(() -> Testbed.builder().hosts("c", "s").path("c", "x", 10).spec()).hasMessageContaining("not in hosts");
        assertThatThrownBy(() -> Testbed.builder().hosts("c", "s").path("c", "c", 10).spec()).hasMessageContaining("two different");
        assertThatThrownBy(() -> Testbed.builder().hosts("c", "s").paths(256, 10)).hasMessageContaining("0..255");
        assertThatThrownBy(() -> Testbed.builder().paths(1, -1)).hasMessageContaining("rate -1");
        assertThatThrownBy(() -> Testbed.builder().mptcpLimits(9, 0)).hasMessageContaining("0..8");
        assertThatThrownBy(() -> Testbed.builder().hosts("Bad")).hasMessageContaining("invalid testbed host name");
    }

    @Test
    void hostsAreOnlyReachableWhileATopologyIsUp() {
        Testbed net = Testbed.builder().hosts("c", "s").paths(1, 0).build();
        assertThat(net.isUp()).isFalse();
        assertThatThrownBy(() -> net.host("c")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no testbed topology is up");
    }
}
