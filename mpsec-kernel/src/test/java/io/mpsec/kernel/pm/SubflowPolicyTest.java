package io.mpsec.kernel.pm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.kernel.genl.GenlMessage;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netlink.testing.FakeKernel;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Allowed subflow pairs: the policy itself and a restricted path manager that refuses before sending. */
class SubflowPolicyTest {
    private final List<NetlinkMessage> sent = new ArrayList<>();
    private MptcpPathManager pm;

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @BeforeEach
    void setUp() throws Exception {
        FakeKernel k = new FakeKernel(FakeKernel.withFamilies(req -> {
            sent.add(req);
            return FakeKernel.ack(req);
        }, FakeKernel.family("mptcp_pm", 30, 1, 11, Map.of("mptcp_pm_events", 9))));
        pm = MptcpPathManager.over(new NetlinkConnection(k));
    }

    private List<SubflowCreate> creates() throws Exception {
        List<SubflowCreate> out = new ArrayList<>();
        for (NetlinkMessage m : sent) {
            if (GenlMessage.decode(m).cmd() == MptcpPmUapi.CMD_SUBFLOW_CREATE) {
                out.add(SubflowCreate.decode(m));
            }
        }
        return out;
    }

    @Test
    void pairsAllowExactlyTheMeshOfLocalsAndRemotes() throws Exception {
        SubflowPolicy p = SubflowPolicy.pairs(List.of(ip("198.18.1.1"), ip("198.18.2.1")), List.of(ip("198.18.1.2")));
        assertThat(p.allows(ip("198.18.1.1"), ip("198.18.1.2"))).isTrue();
        assertThat(p.allows(ip("198.18.2.1"), ip("198.18.1.2"))).isTrue();
        assertThat(p.allows(ip("198.18.1.1"), ip("198.18.2.2"))).as("announced, unprotected remote").isFalse();
        assertThat(p.allows(ip("198.18.9.1"), ip("198.18.1.2"))).as("new local address").isFalse();
        assertThat(p.allows(ip("198.18.1.2"), ip("198.18.1.1"))).as("reversed pair").isFalse();
        assertThat(p.allows(null, ip("198.18.1.2"))).isFalse();
        assertThat(p.allows(ip("2001:2::1"), ip("2001:2::2"))).isFalse();
        assertThat(p).hasToString("pairs of [198.18.1.1, 198.18.2.1] x [198.18.1.2]");
        assertThat(SubflowPolicy.ANY.allows(ip("203.0.113.1"), ip("203.0.113.2"))).isTrue();
    }

    @Test
    void andNarrowsAndAnyIsNeutral() throws Exception {
        SubflowPolicy a = SubflowPolicy.pairs(List.of(ip("198.18.1.1"), ip("198.18.2.1")), List.of(ip("198.18.1.2")));
        InetAddress second = ip("198.18.2.1");
        SubflowPolicy b = (l, r) -> !l.equals(second);
        assertThat(a.and(SubflowPolicy.ANY)).isSameAs(a);
        assertThat(SubflowPolicy.ANY.and(a)).isSameAs(a);
        SubflowPolicy both = a.and(b);
        assertThat(both.allows(ip("198.18.1.1"), ip("198.18.1.2"))).isTrue();
        assertThat(both.allows(ip("198.18.2.1"), ip("198.18.1.2"))).isFalse();
    }

    @Test
    void anEmptyMeshIsRejectedWithAHint() throws Exception {
        assertThatThrownBy(() -> SubflowPolicy.pairs(List.of(), List.of(ip("198.18.1.2"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SubflowPolicy.ANY");
    }

    @Test
    void aRestrictedManagerRefusesOutsideThePairsWithoutSendingAnything() throws Exception {
        List<SubflowRefusedException> told = new ArrayList<>();
        MptcpPathManager r = pm.restrictedTo(SubflowPolicy.pairs(List.of(ip("198.18.1.1")), List.of(ip("198.18.1.2"))), told::add);
        assertThatThrownBy(() -> r.createSubflow(7, 1, ip("198.18.1.1"), ip("198.18.2.2"), 5201))
                .isInstanceOf(SubflowRefusedException.class)
                .hasMessageContaining("198.18.1.1 -> 198.18.2.2:5201")
                .hasMessageContaining("add both addresses to the secure paths");
        assertThatThrownBy(() -> r.createBackupSubflow(7, 1, ip("198.18.2.1"), ip("198.18.1.2"), 5201))
                .isInstanceOf(SubflowRefusedException.class);
        assertThat(sent).as("nothing reached the kernel").isEmpty();
        assertThat(told).hasSize(2);
        assertThat(told.get(0).remote()).isEqualTo(ip("198.18.2.2"));
        assertThat(told.get(0).remotePort()).isEqualTo(5201);

        r.createSubflow(7, 0, ip("198.18.1.1"), ip("198.18.1.2"), 5201);
        assertThat(creates()).singleElement().satisfies(c -> assertThat(c.remote().address()).isEqualTo(ip("198.18.1.2")));
        // the unrestricted manager is unchanged
        pm.createSubflow(7, 1, ip("198.18.1.1"), ip("198.18.2.2"), 5201);
        assertThat(creates()).hasSize(2);
        assertThat(pm.subflowPolicy()).isSameAs(SubflowPolicy.ANY);
    }

    @Test
    void aViewOfAViewCanOnlyNarrow() throws Exception {
        MptcpPathManager r = pm.restrictedTo(SubflowPolicy.pairs(List.of(ip("198.18.1.1")), List.of(ip("198.18.1.2"))), null);
        MptcpPathManager wider = r.restrictedTo(SubflowPolicy.ANY, null);
        assertThatThrownBy(() -> wider.createSubflow(7, 1, ip("198.18.1.1"), ip("198.18.2.2"), 5201))
                .isInstanceOf(SubflowRefusedException.class);
        assertThat(sent).isEmpty();
    }
}
