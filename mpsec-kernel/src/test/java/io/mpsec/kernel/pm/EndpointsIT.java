package io.mpsec.kernel.pm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.kernel.netlink.NetlinkException;
import io.mpsec.pm.Endpoint;
import io.mpsec.pm.EndpointFlag;
import io.mpsec.pm.Limits;
import io.mpsec.testbed.Testbed;
import java.net.InetAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Endpoints and limits through MPSec, cross-checked with iproute2 in both directions. Runs on the host
 * and in the 6.1 kernel lane ({@code also-kernel-lane}); one topology for the class (each test starts
 * by flushing the endpoints), since building one costs tens of seconds in the emulated guest.
 */
@Tag("also-kernel-lane")
class EndpointsIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 0).perClass().build();

    private static MptcpPathManager pm(Testbed.Host h) throws Exception {
        return h.call(() -> MptcpPathManager.open(null));
    }

    @Test
    void endpointsAndLimitsSetByMpsecReadBackIdenticallyWithIproute2() throws Exception {
        Testbed.Host c = NET.host("c");
        int c2 = IpMptcp.ifIndex(c, c.iface(2));
        try (MptcpPathManager pm = pm(c)) {
            pm.flushEndpoints();
            List<Endpoint> wanted = List.of(
                    new Endpoint(5, c.address(2), 0, EnumSet.of(EndpointFlag.SUBFLOW, EndpointFlag.BACKUP), c2),
                    new Endpoint(6, c.address(1), 10000, Set.of(EndpointFlag.SIGNAL), 0),
                    new Endpoint(7, InetAddress.getByName("198.18.9.1"), 0, EnumSet.of(EndpointFlag.SUBFLOW, EndpointFlag.FULLMESH), c2));
            for (Endpoint e : wanted) {
                pm.addEndpoint(e);
            }
            pm.setLimits(new Limits(5, 3));

            assertThat(IpMptcp.endpoints(c)).containsExactlyInAnyOrderElementsOf(wanted);
            assertThat(IpMptcp.limits(c)).isEqualTo(new Limits(5, 3));
            assertThat(pm.endpoints()).containsExactlyInAnyOrderElementsOf(wanted);
            assertThat(pm.endpoint(5)).isEqualTo(wanted.get(0));

            pm.setEndpointFlags(5, Set.of());
            pm.setEndpointFlags(7, EnumSet.of(EndpointFlag.BACKUP));
            pm.deleteEndpoint(6);
            List<Endpoint> after = List.of(wanted.get(0).withFlags(Set.of(EndpointFlag.SUBFLOW)),
                    wanted.get(2).withFlags(EnumSet.of(EndpointFlag.SUBFLOW, EndpointFlag.BACKUP)));
            // set-flags replaces the changeable flags (BACKUP, FULLMESH): FULLMESH was cleared on id 7.
            assertThat(IpMptcp.endpoints(c)).containsExactlyInAnyOrderElementsOf(after);

            pm.flushEndpoints();
            assertThat(c.execOk("ip", "mptcp", "endpoint", "show").stdout().trim()).isEmpty();
            assertThat(pm.endpoints()).isEmpty();
        }
    }

    @Test
    void endpointsAndLimitsSetByIproute2AreReadIdenticallyByMpsec() throws Exception {
        Testbed.Host c = NET.host("c");
        c.execOk("ip", "mptcp", "endpoint", "flush");
        c.execOk("ip", "mptcp", "endpoint", "add", "198.18.2.1", "id", "3", "dev", c.iface(2), "subflow", "backup");
        c.execOk("ip", "mptcp", "endpoint", "add", "198.18.1.1", "port", "10001", "signal");
        c.execOk("ip", "mptcp", "endpoint", "add", "198.18.8.1", "id", "9", "subflow", "fullmesh");
        c.execOk("ip", "mptcp", "limits", "set", "subflows", "7", "add_addr_accepted", "2");
        try (MptcpPathManager pm = pm(c)) {
            List<Endpoint> mine = pm.endpoints();
            assertThat(mine).containsExactlyInAnyOrderElementsOf(IpMptcp.endpoints(c));
            assertThat(mine).hasSize(3);
            assertThat(mine).anySatisfy(e -> {
                assertThat(e.address()).isEqualTo(InetAddress.getByName("198.18.1.1"));
                assertThat(e.port()).isEqualTo(10001);
                assertThat(e.flags()).containsExactly(EndpointFlag.SIGNAL);
                assertThat(e.id()).isPositive(); // chosen by the kernel
            });
            assertThat(pm.limits()).isEqualTo(new Limits(7, 2)).isEqualTo(IpMptcp.limits(c));
        }
    }

    @Test
    void kernelRejectionCarriesErrnoAndExtAck() throws Exception {
        Testbed.Host c = NET.host("c");
        try (MptcpPathManager pm = pm(c)) {
            pm.flushEndpoints();
            Endpoint e = new Endpoint(4, c.address(2), 0, Set.of(EndpointFlag.SUBFLOW), 0);
            pm.addEndpoint(e);
            assertThatThrownBy(() -> pm.addEndpoint(e.withId(0))).isInstanceOfSatisfying(NetlinkException.class, ex -> {
                System.out.println("duplicate endpoint: " + ex.getMessage());
                assertThat(ex.op()).isEqualTo("mptcp_pm ADD_ADDR");
                assertThat(ex.errnoName()).isIn("EEXIST", "EINVAL");
            });
            assertThatThrownBy(() -> pm.endpoint(200)).isInstanceOfSatisfying(NetlinkException.class, ex -> {
                System.out.println("missing endpoint: " + ex.getMessage());
                assertThat(ex.errnoName()).isEqualTo("EINVAL");
                assertThat(ex.extAck()).isNotBlank();
            });
            assertThatThrownBy(() -> pm.setLimits(new Limits(1000, 0))).isInstanceOfSatisfying(NetlinkException.class, ex -> {
                System.out.println("limit too high: " + ex.getMessage());
                assertThat(ex.extAck()).isNotBlank();
            });
            // Nothing half-applied: the limits are unchanged.
            assertThat(pm.limits()).isEqualTo(IpMptcp.limits(c));
        }
    }

    @Test
    void laminarFlagIsProbed() throws Exception {
        Testbed.Host c = NET.host("c");
        try (MptcpPathManager pm = pm(c)) {
            pm.flushEndpoints();
            boolean supported = pm.supportsFlag(EndpointFlag.LAMINAR);
            System.out.println("kernel supports LAMINAR: " + supported + " (measured: " + FlagProbe.measured() + ")");
            assertThat(FlagProbe.measured()).as("the flag probe ran in a private namespace (root), not from the version").isTrue();
            Endpoint e = new Endpoint(11, c.address(2), 0, EnumSet.of(EndpointFlag.SUBFLOW, EndpointFlag.LAMINAR), 0);
            if (supported) {
                pm.addEndpoint(e);
                assertThat(pm.endpoint(11).flags()).contains(EndpointFlag.LAMINAR);
            } else {
                assertThatThrownBy(() -> pm.addEndpoint(e)).hasMessageContaining("LAMINAR");
            }
        }
    }
}
