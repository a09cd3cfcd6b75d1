package io.mpsec.kernel.pm.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.kernel.genl.GenlMessage;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netlink.testing.FakeKernel;
import io.mpsec.kernel.pm.MptcpPathManager;
import io.mpsec.kernel.pm.MptcpPmUapi;
import io.mpsec.kernel.pm.SubflowCreate;
import io.mpsec.kernel.pm.SubflowPolicy;
import io.mpsec.kernel.pm.SubflowRefusedException;
import io.mpsec.kernel.rtnl.Address;
import io.mpsec.pm.PmEvent;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Strategies inside allowed pairs: fullmesh skips pairs the runner's policy or its remote allowlist
 * excludes and stops at its cap; the other strategies are refused by the restricted path manager.
 */
class FullmeshBoundsTest {
    private final List<NetlinkMessage> commands = new ArrayList<>();
    private final List<SubflowRefusedException> refused = new ArrayList<>();
    private MptcpPathManager raw;
    private MptcpPathManager pm;
    private ConnectionState state;

    private final PmContext ctx = new PmContext() {
        @Override
        public MptcpPathManager pm() {
            return pm;
        }

        @Override
        public ConnectionState connection(long token) {
            return state;
        }

        @Override
        public Collection<ConnectionState> connections() {
            return state == null ? List.of() : List.of(state);
        }

        @Override
        public int localId(long token, InetAddress a) {
            return a.equals(state.local()) ? 0 : 5;
        }

        @Override
        public List<Address> addresses() {
            return List.of();
        }
    };

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @BeforeEach
    void setUp() throws Exception {
        FakeKernel k = new FakeKernel(FakeKernel.withFamilies(req -> {
            commands.add(req);
            return FakeKernel.ack(req);
        }, FakeKernel.family("mptcp_pm", 30, 1, 11, Map.of("mptcp_pm_events", 9))));
        raw = MptcpPathManager.over(new NetlinkConnection(k));
        pm = raw;
    }

    /** Restricts the context's path manager to local {1.1, 2.1} x remote {1.2, 2.2} (the protected mesh). */
    private void protectedMesh() throws Exception {
        pm = raw.restrictedTo(SubflowPolicy.pairs(List.of(ip("198.18.1.1"), ip("198.18.2.1")),
                List.of(ip("198.18.1.2"), ip("198.18.2.2"))), refused::add);
    }

    private PmEvent.Established established() throws Exception {
        PmEvent.Endpoints ep = new PmEvent.Endpoints(ip("198.18.1.1"), 40000, ip("198.18.1.2"), 5201);
        state = new ConnectionState(7, false, ep.local(), 40000, ep.remote(), 5201, Map.of(),
                Set.of(new ConnectionState.Subflow(0, ep.local(), 40000, 0, ep.remote(), 5201, false)));
        return new PmEvent.Established(7, ep, false);
    }

    private List<String> pairs() throws Exception {
        List<String> out = new ArrayList<>();
        for (NetlinkMessage m : commands) {
            if (GenlMessage.decode(m).cmd() == MptcpPmUapi.CMD_SUBFLOW_CREATE) {
                SubflowCreate c = SubflowCreate.decode(m);
                out.add(c.local().address().getHostAddress() + ">" + c.remote().address().getHostAddress());
            }
        }
        return out;
    }

    @Test
    void fullmeshNeverSendsAJoinToAnAnnouncedAddressOutsideTheAllowedPairs() throws Exception {
        protectedMesh();
        Fullmesh f = new Fullmesh(List.of(ip("198.18.1.1"), ip("198.18.2.1")));
        f.onEstablished(ctx, established());
        f.onAnnounced(ctx, new PmEvent.Announced(7, 1, ip("198.18.3.2"), 0)); // not protected
        f.onAnnounced(ctx, new PmEvent.Announced(7, 2, ip("203.0.113.9"), 0)); // an arbitrary host
        f.onAnnounced(ctx, new PmEvent.Announced(7, 3, ip("198.18.2.2"), 0)); // protected
        assertThat(pairs()).containsExactlyInAnyOrder("198.18.2.1>198.18.1.2", "198.18.1.1>198.18.2.2", "198.18.2.1>198.18.2.2");
        assertThat(f.skipped()).isEqualTo(4); // 2 locals x 2 unprotected remotes
        assertThat(refused).as("fullmesh checks first: nothing for the runner to refuse").isEmpty();
        // announcing the unprotected address again asks nothing and skips nothing new
        f.onAnnounced(ctx, new PmEvent.Announced(7, 1, ip("198.18.3.2"), 0));
        assertThat(pairs()).hasSize(3);
        assertThat(f.skipped()).isEqualTo(4);
    }

    @Test
    void fullmeshOpensAtMostItsCapPerConnection() throws Exception {
        List<InetAddress> locals = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            locals.add(ip("198.18." + i + ".1"));
        }
        Fullmesh f = new Fullmesh(locals, null, 3);
        f.onEstablished(ctx, established());
        for (int i = 2; i <= 5; i++) {
            f.onAnnounced(ctx, new PmEvent.Announced(7, i, ip("198.18." + i + ".2"), 0));
        }
        assertThat(pairs()).hasSize(3);
        assertThat(f.skipped()).isEqualTo(4 * 5 - 1 - 3); // every pair but the initial one and the 3 opened
        // a new connection gets its own budget
        f.onClosed(ctx, new PmEvent.Closed(7));
        commands.clear();
        f.onEstablished(ctx, established());
        assertThat(pairs()).hasSize(3);
    }

    @Test
    void theDefaultCapIsEightAndTheKernelLimitBoundsIt() throws Exception {
        List<InetAddress> locals = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            locals.add(ip("198.18." + i + ".1"));
        }
        Fullmesh f = new Fullmesh(locals);
        f.onEstablished(ctx, established());
        for (int i = 2; i <= 5; i++) {
            f.onAnnounced(ctx, new PmEvent.Announced(7, i, ip("198.18." + i + ".2"), 0));
        }
        assertThat(pairs()).hasSize(Fullmesh.DEFAULT_MAX_SUBFLOWS);
        assertThatThrownBy(() -> new Fullmesh(locals, null, 9)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1..8");
        assertThatThrownBy(() -> new Fullmesh(locals, null, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRemoteAllowlistLimitsAnnouncedAddressesEvenWhenThePolicyAllowsAll() throws Exception {
        Fullmesh f = new Fullmesh(List.of(ip("198.18.1.1"), ip("198.18.2.1")), List.of(ip("198.18.2.2")), 8);
        f.onEstablished(ctx, established());
        f.onAnnounced(ctx, new PmEvent.Announced(7, 1, ip("198.18.3.2"), 0));
        f.onAnnounced(ctx, new PmEvent.Announced(7, 2, ip("198.18.2.2"), 0));
        // the connection's own remote is always a target; 198.18.3.2 is not on the allowlist
        assertThat(pairs()).containsExactlyInAnyOrder("198.18.2.1>198.18.1.2", "198.18.1.1>198.18.2.2", "198.18.2.1>198.18.2.2");
        assertThat(f.skipped()).isEqualTo(2);
    }

    @Test
    void otherStrategiesAreRefusedByTheRestrictedManagerAndNothingIsSent() throws Exception {
        protectedMesh();
        PmEvent.Established e = established();
        Backup b = new Backup(ip("198.18.3.1"), ip("198.18.1.2")); // a local address outside the mesh
        assertThatThrownBy(() -> b.onEstablished(ctx, e)).isInstanceOf(SubflowRefusedException.class);
        NDiffPorts n = new NDiffPorts(3);
        n.onEstablished(ctx, e); // the initial pair is protected
        assertThat(pairs()).hasSize(2);
        assertThat(refused).singleElement().satisfies(r -> assertThat(r.local()).isEqualTo(ip("198.18.3.1")));
    }

    @Test
    void theHealerForgetsASubflowOutsideTheAllowedPairsInsteadOfReopeningIt() throws Exception {
        protectedMesh();
        established();
        SubflowHealer h = new SubflowHealer();
        PmEvent.Endpoints bad = new PmEvent.Endpoints(ip("198.18.2.1"), 41000, ip("198.18.3.2"), 5201);
        PmEvent.Endpoints good = new PmEvent.Endpoints(ip("198.18.2.1"), 41001, ip("198.18.2.2"), 5201);
        h.onSubflowClosed(ctx, new PmEvent.SubflowClosed(7, 5, 1, bad, false, 111));
        h.onSubflowClosed(ctx, new PmEvent.SubflowClosed(7, 5, 2, good, false, 110));
        assertThat(h.lostCount()).isEqualTo(2);
        h.onAddress(ctx, new Address(4, ip("198.18.2.1"), 24, null), false);
        assertThat(pairs()).containsExactly("198.18.2.1>198.18.2.2");
        assertThat(refused).isEmpty();
        assertThat(h.lostCount()).isZero();
    }
}
