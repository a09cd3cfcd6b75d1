package io.mpsec.ipsec.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerInspectorTest {
    @Test
    void theFilterSelectsBothDirectionsBetweenThePeersOnly() throws Exception {
        PeerAddresses p = PeerAddresses.of(List.of(InetAddress.getByName("198.18.1.1"), InetAddress.getByName("2001:2::1")),
                List.of(InetAddress.getByName("198.18.1.2")));
        assertThat(PeerInspector.filter(p)).isEqualTo("(((src host 198.18.1.1 or src host 2001:2:0:0:0:0:0:1) and (dst host 198.18.1.2))"
                + " or ((src host 198.18.1.2) and (dst host 198.18.1.1 or dst host 2001:2:0:0:0:0:0:1)))"
                + " and not (icmp6 and ip6[40] >= 133 and ip6[40] <= 137)");
    }

    @Test
    void badLimitsAreRefusedBeforeAnyCapture() throws Exception {
        PeerAddresses p = PeerAddresses.of(List.of(InetAddress.getByName("198.18.1.1")), List.of(InetAddress.getByName("198.18.1.2")));
        assertThatThrownBy(() -> PeerInspector.inspect(null, "c1", p, 0, Duration.ofSeconds(1))).hasMessageContaining("maxPackets");
        assertThatThrownBy(() -> PeerInspector.inspect(null, "c1", p, 5, Duration.ZERO)).hasMessageContaining("timeout");
    }
}
