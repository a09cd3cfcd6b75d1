package io.mpsec.kernel.pm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.kernel.genl.GenlMessage;
import io.mpsec.kernel.netlink.Netlink;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkException;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netlink.testing.FakeKernel;
import io.mpsec.pm.Endpoint;
import io.mpsec.pm.EndpointFlag;
import io.mpsec.pm.Limits;
import io.mpsec.pm.MissingKernelFeatureException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every MptcpPathManager command against a message-level fake kernel that keeps an endpoint table. */
class MptcpPathManagerFakeKernelTest {
    private static final int FAMILY = 31;
    private final TreeMap<Integer, PmAddress> table = new TreeMap<>();
    private Limits limits = new Limits(2, 0);
    private final List<Object> userspace = new ArrayList<>();
    private FakeKernel kernel;
    private MptcpPathManager pm;

    private List<NetlinkMessage> handle(NetlinkMessage req) throws java.io.IOException {
        assertThat(req.type()).isEqualTo(FAMILY);
        switch (GenlMessage.decode(req).cmd()) {
            case MptcpPmUapi.CMD_ADD_ADDR: {
                PmAddress a = AddAddr.decode(req).address();
                int id = a.id() == PmAddress.ABSENT ? table.isEmpty() ? 1 : table.lastKey() + 1 : a.id();
                if (table.containsKey(id)) {
                    return FakeKernel.error(req, 17, "too many addresses or duplicate one: -17");
                }
                table.put(id, a.withId(id));
                return FakeKernel.ack(req);
            }
            case MptcpPmUapi.CMD_DEL_ADDR:
                return table.remove(DelAddr.decode(req).address().id()) == null
                        ? FakeKernel.error(req, 22, "address not found") : FakeKernel.ack(req);
            case MptcpPmUapi.CMD_GET_ADDR: {
                PmAddress q = GetAddr.decode(req).address();
                if (q == null) {
                    List<byte[]> parts = new ArrayList<>();
                    table.values().forEach(a -> parts.add(GetAddr.encodeReply(a)));
                    return FakeKernel.dump(req, FAMILY, parts);
                }
                PmAddress a = table.get(q.id());
                return a == null ? FakeKernel.error(req, 22, "address not found") : List.of(FakeKernel.reply(req, FAMILY, GetAddr.encodeReply(a)));
            }
            case MptcpPmUapi.CMD_FLUSH_ADDRS:
                table.clear();
                return FakeKernel.ack(req);
            case MptcpPmUapi.CMD_SET_LIMITS:
                limits = SetLimits.decode(req).limits();
                return FakeKernel.ack(req);
            case MptcpPmUapi.CMD_GET_LIMITS:
                return List.of(FakeKernel.reply(req, FAMILY, GetLimits.encodeReply(limits)));
            case MptcpPmUapi.CMD_SET_FLAGS: {
                SetFlags f = SetFlags.decode(req);
                if (f.token() >= 0) {
                    userspace.add(f);
                } else {
                    PmAddress a = table.get(f.address().id());
                    int keep = a.flags() & ~(MptcpPmUapi.FLAG_BACKUP | MptcpPmUapi.FLAG_FULLMESH);
                    table.put(a.id(), a.withFlags(keep | Math.max(f.address().flags(), 0)));
                }
                return FakeKernel.ack(req);
            }
            case MptcpPmUapi.CMD_ANNOUNCE:
                userspace.add(Announce.decode(req));
                return FakeKernel.ack(req);
            case MptcpPmUapi.CMD_REMOVE:
                userspace.add(Remove.decode(req));
                return FakeKernel.ack(req);
            case MptcpPmUapi.CMD_SUBFLOW_CREATE:
                userspace.add(SubflowCreate.decode(req));
                return FakeKernel.ack(req);
            case MptcpPmUapi.CMD_SUBFLOW_DESTROY:
                userspace.add(SubflowDestroy.decode(req));
                return FakeKernel.ack(req);
            default:
                return FakeKernel.error(req, 95, "unknown command");
        }
    }

    @BeforeEach
    void open() throws Exception {
        kernel = new FakeKernel(FakeKernel.withFamilies(this::handle,
                FakeKernel.family("mptcp_pm", FAMILY, 1, 11, Map.of("mptcp_pm_cmds", 8, "mptcp_pm_events", 9))));
        pm = MptcpPathManager.over(new NetlinkConnection(kernel));
    }

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void endpointLifecycle() throws Exception {
        Endpoint a = new Endpoint(0, ip("198.18.1.1"), 0, EnumSet.of(EndpointFlag.SUBFLOW, EndpointFlag.BACKUP), 4);
        Endpoint b = new Endpoint(9, ip("2001:db8::1"), 7000, Set.of(EndpointFlag.SIGNAL), 0);
        pm.addEndpoint(a);
        pm.addEndpoint(b);
        assertThat(pm.endpoints()).containsExactly(a.withId(1), b);
        assertThat(pm.endpoint(9)).isEqualTo(b);
        pm.setEndpointFlags(1, Set.of(EndpointFlag.FULLMESH));
        assertThat(pm.endpoint(1).flags()).containsExactlyInAnyOrder(EndpointFlag.SUBFLOW, EndpointFlag.FULLMESH);
        pm.deleteEndpoint(9);
        assertThat(pm.endpoints()).hasSize(1);
        pm.flushEndpoints();
        assertThat(pm.endpoints()).isEmpty();
        // Every request carried NLM_F_REQUEST and the resolved family id.
        assertThat(kernel.requests()).allMatch(r -> r.hasFlag(Netlink.NLM_F_REQUEST));
    }

    @Test
    void errorsCarryTheKernelText() throws Exception {
        pm.addEndpoint(new Endpoint(3, ip("198.18.1.1"), 0, Set.of(EndpointFlag.SUBFLOW), 0));
        assertThatThrownBy(() -> pm.addEndpoint(new Endpoint(3, ip("198.18.1.1"), 0, Set.of(), 0)))
                .isInstanceOfSatisfying(NetlinkException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("EEXIST");
                    assertThat(e.extAck()).contains("duplicate");
                    assertThat(e.op()).isEqualTo("mptcp_pm ADD_ADDR");
                });
        assertThatThrownBy(() -> pm.deleteEndpoint(77)).hasMessageContaining("address not found");
    }

    @Test
    void badInputIsRejectedBeforeTheKernel() throws Exception {
        int before = kernel.requests().size();
        assertThatThrownBy(() -> pm.addEndpoint(new Endpoint(0, ip("198.18.1.1"), 80, Set.of(EndpointFlag.SUBFLOW), 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SIGNAL");
        assertThatThrownBy(() -> pm.addEndpoint(new Endpoint(0, ip("198.18.1.1"), 0, Set.of(EndpointFlag.IMPLICIT), 0)))
                .hasMessageContaining("IMPLICIT");
        assertThatThrownBy(() -> new Endpoint(300, ip("198.18.1.1"), 0, Set.of(), 0)).hasMessageContaining("0..255");
        assertThatThrownBy(() -> pm.createSubflow(0, 0, ip("198.18.1.1"), ip("198.18.1.2"), 80)).hasMessageContaining("token");
        assertThat(kernel.requests()).hasSize(before);
    }

    @Test
    void limits() throws Exception {
        pm.setLimits(new Limits(6, 3));
        assertThat(pm.limits()).isEqualTo(new Limits(6, 3));
    }

    @Test
    void userspaceCommandsUseHostOrderPorts() throws Exception {
        long token = 0xfedcba98L;
        pm.announce(token, 2, ip("198.18.2.1"), 0);
        pm.remove(token, 2);
        pm.createSubflow(token, 0, ip("198.18.1.1"), ip("198.18.1.2"), 5201);
        pm.destroySubflow(token, ip("198.18.1.1"), 40000, ip("198.18.1.2"), 5201);
        pm.setSubflowBackup(token, ip("198.18.1.1"), 40000, ip("198.18.1.2"), 5201, true);
        assertThat(userspace).containsExactly(
                new Announce(token, new PmAddress(2, ip("198.18.2.1"), PmAddress.ABSENT, PmAddress.ABSENT, PmAddress.ABSENT)),
                new Remove(token, 2),
                new SubflowCreate(token, new PmAddress(0, ip("198.18.1.1"), PmAddress.ABSENT, PmAddress.ABSENT, PmAddress.ABSENT),
                        PmAddress.of(ip("198.18.1.2"), 5201)),
                new SubflowDestroy(token, PmAddress.of(ip("198.18.1.1"), 40000), PmAddress.of(ip("198.18.1.2"), 5201)),
                new SetFlags(token, PmAddress.of(ip("198.18.1.1"), 40000).withFlags(MptcpPmUapi.FLAG_BACKUP),
                        PmAddress.of(ip("198.18.1.2"), 5201)));
        // 5201 = 0x1451 host order on the wire: 51 14
        byte[] wire = kernel.requests().get(3).payload();
        assertThat(indexOf(wire, new byte[] {6, 0, MptcpPmUapi.ADDR_ATTR_PORT, 0, 0x51, 0x14})).isNotNegative();
    }

    @Test
    void missingFamilyNamesTheFeature() {
        FakeKernel none = new FakeKernel(FakeKernel.withFamilies(FakeKernel::ack));
        assertThatThrownBy(() -> MptcpPathManager.over(new NetlinkConnection(none)))
                .isInstanceOf(MissingKernelFeatureException.class).hasMessageContaining("CONFIG_MPTCP");
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
