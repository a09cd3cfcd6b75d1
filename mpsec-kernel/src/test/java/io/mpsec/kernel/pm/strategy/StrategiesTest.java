package io.mpsec.kernel.pm.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.kernel.genl.GenlMessage;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netlink.testing.FakeKernel;
import io.mpsec.kernel.pm.MptcpPathManager;
import io.mpsec.kernel.pm.MptcpPmUapi;
import io.mpsec.kernel.pm.SetFlags;
import io.mpsec.kernel.pm.SubflowCreate;
import io.mpsec.kernel.pm.SubflowDestroy;
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

/** The strategies' decisions against a fake kernel (which subflows they ask for), without traffic. */
class StrategiesTest {
    private final List<NetlinkMessage> commands = new ArrayList<>();
    private MptcpPathManager pm;
    private ConnectionState state;
    private final List<Address> addresses = new ArrayList<>();
    /** Requests the fake kernel rejects with EADDRNOTAVAIL. */
    private java.util.function.Predicate<NetlinkMessage> reject = r -> false;

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
            return addresses;
        }
    };

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @BeforeEach
    void setUp() throws Exception {
        FakeKernel k = new FakeKernel(FakeKernel.withFamilies(req -> {
            if (reject.test(req)) {
                return FakeKernel.error(req, io.mpsec.kernel.ffi.Errno.EADDRNOTAVAIL, null);
            }
            commands.add(req);
            return FakeKernel.ack(req);
        }, FakeKernel.family("mptcp_pm", 30, 1, 11, Map.of("mptcp_pm_events", 9))));
        pm = MptcpPathManager.over(new NetlinkConnection(k));
    }

    private PmEvent.Established established(boolean server) throws Exception {
        PmEvent.Endpoints ep = new PmEvent.Endpoints(ip("198.18.1.1"), 40000, ip("198.18.1.2"), 5201);
        state = new ConnectionState(7, server, ep.local(), 40000, ep.remote(), 5201, Map.of(),
                Set.of(new ConnectionState.Subflow(0, ep.local(), 40000, 0, ep.remote(), 5201, false)));
        return new PmEvent.Established(7, ep, server);
    }

    private List<SubflowCreate> creates() throws Exception {
        List<SubflowCreate> out = new ArrayList<>();
        for (NetlinkMessage m : commands) {
            if (GenlMessage.decode(m).cmd() == MptcpPmUapi.CMD_SUBFLOW_CREATE) {
                out.add(SubflowCreate.decode(m));
            }
        }
        return out;
    }

    @Test
    void ndiffportsAsksForNMinusOneSubflowsOverTheSamePair() throws Exception {
        new NDiffPorts(4).onEstablished(ctx, established(false));
        assertThat(creates()).hasSize(3).allSatisfy(c -> {
            assertThat(c.token()).isEqualTo(7);
            assertThat(c.local().id()).isZero();
            assertThat(c.local().address()).isEqualTo(ip("198.18.1.1"));
            assertThat(c.remote().address()).isEqualTo(ip("198.18.1.2"));
            assertThat(c.remote().port()).isEqualTo(5201);
        });
    }

    @Test
    void strategiesLeaveServerSideConnectionsAlone() throws Exception {
        new NDiffPorts(4).onEstablished(ctx, established(true));
        new Fullmesh(List.of(ip("198.18.1.1"), ip("198.18.2.1"))).onEstablished(ctx, established(true));
        assertThat(commands).isEmpty();
    }

    @Test
    void fullmeshCoversEveryPairOnceIncludingLateAnnouncements() throws Exception {
        Fullmesh f = new Fullmesh(List.of(ip("198.18.1.1"), ip("198.18.2.1")));
        f.onEstablished(ctx, established(false));
        // 2 local x 1 remote, minus the initial subflow
        assertThat(creates()).hasSize(1);
        PmEvent.Announced a = new PmEvent.Announced(7, 1, ip("198.18.2.2"), 0);
        f.onAnnounced(ctx, a);
        f.onAnnounced(ctx, a); // repeated announcement: no duplicates
        assertThat(creates()).hasSize(3);
        assertThat(creates()).extracting(c -> c.local().address().getHostAddress() + ">" + c.remote().address().getHostAddress()
                + ":" + c.remote().port())
                .containsExactlyInAnyOrder("198.18.2.1>198.18.1.2:5201", "198.18.1.1>198.18.2.2:5201", "198.18.2.1>198.18.2.2:5201");
    }

    @Test
    void backupOpensAStandbyAndAWorkingPrimaryThenIdlesTheInitialSubflow() throws Exception {
        Backup b = new Backup(ip("198.18.2.1"), ip("198.18.2.2"));
        b.onEstablished(ctx, established(false));
        assertThat(creates()).hasSize(2);
        SubflowCreate standby = creates().get(0);
        assertThat(standby.local().flags()).isEqualTo(MptcpPmUapi.FLAG_BACKUP);
        assertThat(standby.remote().address()).isEqualTo(ip("198.18.2.2"));
        SubflowCreate working = creates().get(1);
        assertThat(working.local().address()).isEqualTo(ip("198.18.1.1"));
        assertThat(working.remote().address()).isEqualTo(ip("198.18.1.2"));
        assertThat(working.local().flags()).as("no backup flag").isNotEqualTo(MptcpPmUapi.FLAG_BACKUP);

        commands.clear();
        PmEvent.Endpoints ep = new PmEvent.Endpoints(ip("198.18.2.1"), 41000, ip("198.18.2.2"), 5201);
        b.onSubflowEstablished(ctx, new PmEvent.SubflowEstablished(7, 5, 0, ep, false, 4));
        SetFlags sf = SetFlags.decode(commands.get(commands.size() - 1));
        assertThat(sf.token()).isEqualTo(7);
        assertThat(sf.address().flags()).isEqualTo(MptcpPmUapi.FLAG_BACKUP);
        assertThat(sf.address().port()).isEqualTo(41000);

        // the working primary is up: the initial subflow (port 40000) becomes backup, nothing else
        commands.clear();
        PmEvent.Endpoints wp = new PmEvent.Endpoints(ip("198.18.1.1"), 42000, ip("198.18.1.2"), 5201);
        b.onSubflowEstablished(ctx, new PmEvent.SubflowEstablished(7, 0, 0, wp, false, 3));
        assertThat(commands).singleElement().satisfies(m -> {
            SetFlags f = SetFlags.decode(m);
            assertThat(f.address().address()).isEqualTo(ip("198.18.1.1"));
            assertThat(f.address().port()).isEqualTo(40000);
            assertThat(f.address().flags()).isEqualTo(MptcpPmUapi.FLAG_BACKUP);
        });
    }

    @Test
    void backupClosesTheWorkingPrimaryNeverTheInitialSubflowAndReopensIt() throws Exception {
        established(false);
        ConnectionState.Subflow first = state.subflows().iterator().next();
        ConnectionState.Subflow bk = new ConnectionState.Subflow(5, ip("198.18.2.1"), 41000, 0, ip("198.18.2.2"), 5201, true);
        ConnectionState.Subflow working = new ConnectionState.Subflow(0, ip("198.18.1.1"), 42000, 0, ip("198.18.1.2"), 5201, false);
        state = new ConnectionState(7, false, state.local(), 40000, state.remote(), 5201, Map.of(), Set.of(first, bk, working));
        addresses.add(new Address(3, ip("198.18.1.1"), 24, null));
        addresses.add(new Address(4, ip("198.18.2.1"), 24, null));
        Backup b = new Backup(ip("198.18.2.1"), ip("198.18.2.2"));
        b.onLink(ctx, 4, "c2", false); // the standby's own link: nothing to do
        assertThat(commands).isEmpty();

        b.onLink(ctx, 3, "c1", false);
        assertThat(commands).hasSize(2);
        SetFlags promoted = SetFlags.decode(commands.get(0));
        assertThat(promoted.address().address()).isEqualTo(ip("198.18.2.1"));
        assertThat(promoted.address().flags()).isZero();
        assertThat(GenlMessage.decode(commands.get(1)).cmd()).isEqualTo(MptcpPmUapi.CMD_SUBFLOW_DESTROY);
        SubflowDestroy closed = SubflowDestroy.decode(commands.get(1));
        assertThat(closed.local().port()).as("the working primary, not the initial subflow").isEqualTo(42000);

        // link up with the working primary gone: a new one opens; the standby stays regular (carrying
        // the traffic) until the new working primary is established, so the connection never has only
        // backup subflows (the kernel would then send on the initial subflow)
        commands.clear();
        state = new ConnectionState(7, false, state.local(), 40000, state.remote(), 5201, Map.of(), Set.of(first, bk));
        b.onLink(ctx, 3, "c1", true);
        assertThat(creates()).singleElement().satisfies(c -> assertThat(c.local().address()).isEqualTo(ip("198.18.1.1")));
        assertThat(commands).as("no SET_FLAGS before the new working primary is up").hasSize(1);
        commands.clear();
        PmEvent.Endpoints wp = new PmEvent.Endpoints(ip("198.18.1.1"), 43000, ip("198.18.1.2"), 5201);
        b.onSubflowEstablished(ctx, new PmEvent.SubflowEstablished(7, 0, 0, wp, false, 3));
        assertThat(commands).hasSize(2).allSatisfy(m -> assertThat(SetFlags.decode(m).address().flags()).isEqualTo(MptcpPmUapi.FLAG_BACKUP));
        assertThat(commands).extracting(m -> SetFlags.decode(m).address().port())
                .as("the initial subflow and the standby become backup").containsExactly(40000, 41000);
        // a later working primary (no failover in between) leaves the standby alone
        commands.clear();
        b.onSubflowEstablished(ctx, new PmEvent.SubflowEstablished(7, 0, 0, wp, false, 3));
        assertThat(commands).singleElement().satisfies(m -> assertThat(SetFlags.decode(m).address().port()).isEqualTo(40000));

        // no working primary at link down (its creation failed): the initial subflow is only marked backup
        commands.clear();
        b.onLink(ctx, 3, "c1", false);
        assertThat(commands).hasSize(2).allSatisfy(m ->
                assertThat(GenlMessage.decode(m).cmd()).isNotEqualTo(MptcpPmUapi.CMD_SUBFLOW_DESTROY));
        SetFlags idled = SetFlags.decode(commands.get(1));
        assertThat(idled.address().port()).isEqualTo(40000);
        assertThat(idled.address().flags()).isEqualTo(MptcpPmUapi.FLAG_BACKUP);
    }

    @Test
    void healerClosesOnDownAndReopensOnUpButNeverTheLastSubflow() throws Exception {
        established(false);
        ConnectionState.Subflow second = new ConnectionState.Subflow(5, ip("198.18.2.1"), 41000, 0, ip("198.18.1.2"), 5201, false);
        state = new ConnectionState(7, false, state.local(), 40000, state.remote(), 5201, Map.of(),
                Set.of(state.subflows().iterator().next(), second));
        addresses.add(new Address(4, ip("198.18.2.1"), 24, null));
        addresses.add(new Address(3, ip("198.18.1.1"), 24, null));
        SubflowHealer h = new SubflowHealer();
        h.onLink(ctx, 4, "c2", false);
        assertThat(GenlMessage.decode(commands.get(0)).cmd()).isEqualTo(MptcpPmUapi.CMD_SUBFLOW_DESTROY);
        assertThat(h.lostCount()).isEqualTo(1);
        h.onLink(ctx, 4, "c2", true);
        assertThat(creates()).singleElement().satisfies(c -> assertThat(c.local().address()).isEqualTo(ip("198.18.2.1")));
        assertThat(h.lostCount()).isZero();
        // Only one subflow left on c1: a down c1 must not close it.
        commands.clear();
        state = new ConnectionState(7, false, state.local(), 40000, state.remote(), 5201, Map.of(),
                Set.of(new ConnectionState.Subflow(0, ip("198.18.1.1"), 40000, 0, ip("198.18.1.2"), 5201, false)));
        h.onLink(ctx, 3, "c1", false);
        assertThat(commands).isEmpty();
    }

    private boolean createFrom(NetlinkMessage m, String local) {
        try {
            return GenlMessage.decode(m).cmd() == MptcpPmUapi.CMD_SUBFLOW_CREATE
                    && SubflowCreate.decode(m).local().address().equals(ip(local));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void fullmeshKeepsGoingAfterAFailedPairAndRetriesItLater() throws Exception {
        Fullmesh f = new Fullmesh(List.of(ip("198.18.1.1"), ip("198.18.2.1"), ip("198.18.3.1")));
        reject = m -> createFrom(m, "198.18.2.1");
        assertThatThrownBy(() -> f.onEstablished(ctx, established(false)))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("198.18.2.1 -> 198.18.1.2:5201").hasMessageContaining("EADDRNOTAVAIL");
        // The pair after the failed one was still created.
        assertThat(creates()).extracting(c -> c.local().address().getHostAddress()).containsExactly("198.18.3.1");
        // The next announcement retries the failed pair along with the new ones.
        reject = m -> false;
        f.onAnnounced(ctx, new PmEvent.Announced(7, 1, ip("198.18.2.2"), 0));
        assertThat(creates()).extracting(c -> c.local().address().getHostAddress() + ">" + c.remote().address().getHostAddress())
                .containsExactlyInAnyOrder("198.18.3.1>198.18.1.2", "198.18.1.1>198.18.2.2", "198.18.2.1>198.18.2.2",
                        "198.18.3.1>198.18.2.2");
        // The failed pair is not marked done: when its remote address is announced, it is created.
        f.onAnnounced(ctx, new PmEvent.Announced(7, 2, ip("198.18.1.2"), 5201));
        assertThat(creates()).extracting(c -> c.local().address().getHostAddress() + ">" + c.remote().address().getHostAddress())
                .contains("198.18.2.1>198.18.1.2");
    }

    @Test
    void healerKeepsASubflowWhoseRecreationFailedAndRetriesWhenAnAddressAppears() throws Exception {
        established(false);
        ConnectionState.Subflow second = new ConnectionState.Subflow(5, ip("198.18.2.1"), 41000, 0, ip("198.18.1.2"), 5201, false);
        state = new ConnectionState(7, false, state.local(), 40000, state.remote(), 5201, Map.of(),
                Set.of(state.subflows().iterator().next(), second));
        addresses.add(new Address(4, ip("198.18.2.1"), 24, null));
        SubflowHealer h = new SubflowHealer();
        h.onLink(ctx, 4, "c2", false);
        assertThat(h.lostCount()).isEqualTo(1);
        reject = m -> createFrom(m, "198.18.2.1"); // e.g. the address is still tentative
        assertThatThrownBy(() -> h.onLink(ctx, 4, "c2", true)).hasMessageContaining("will retry").hasMessageContaining("EADDRNOTAVAIL");
        assertThat(h.lostCount()).as("still remembered").isEqualTo(1);
        reject = m -> false;
        h.onAddress(ctx, new Address(4, ip("198.18.9.9"), 24, null), false); // another address: not ours
        assertThat(creates()).isEmpty();
        h.onAddress(ctx, new Address(4, ip("198.18.2.1"), 24, null), false);
        assertThat(creates()).singleElement().satisfies(c -> assertThat(c.local().address()).isEqualTo(ip("198.18.2.1")));
        assertThat(h.lostCount()).isZero();
    }
}
