package io.mpsec.kernel.pm;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.genl.GenericNetlink;
import io.mpsec.kernel.genl.Genl;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.pm.Endpoint;
import io.mpsec.pm.EndpointFlag;
import io.mpsec.pm.Limits;
import java.net.InetAddress;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every mptcp_pm request MPSec sends, compared byte for byte with what iproute2 6.1 sent for the same
 * operation (captures in src/test/resources/golden/mptcp_pm, command line above the bytes), and
 * decoded back to the same model.
 */
class PmGoldenBytesTest {
    private static final int FAMILY = 28; // any id: strace shows the type symbolically

    private static void assertGolden(String name, PmCommand cmd, java.util.function.Function<NetlinkMessage, Object> decode)
            throws Exception {
        GoldenCapture g = GoldenCapture.load(name);
        assertThat(g.type()).isEqualTo("mptcp_pm");
        NetlinkMessage m = cmd.toMessage(FAMILY);
        byte[] wire = m.encode();
        assertThat(wire.length).as(g.command()).isEqualTo(g.nlmsgLen());
        assertThat(m.flags()).as(g.command()).isEqualTo(g.flags());
        assertThat(m.payload()).as(g.command()).isEqualTo(g.payload());
        // decode(golden) == model
        NetlinkMessage golden = new NetlinkMessage(FAMILY, g.flags(), 0, 0, g.payload());
        assertThat(decode.apply(golden)).as(g.command()).isEqualTo(cmd);
    }

    private static <T> java.util.function.Function<NetlinkMessage, Object> d(Decoder<T> dec) {
        return m -> {
            try {
                return dec.decode(m);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
    }

    private interface Decoder<T> {
        T decode(NetlinkMessage m) throws Exception;
    }

    @Test
    void endpointAddSubflowBackup() throws Exception {
        Endpoint e = new Endpoint(3, InetAddress.getByName("198.18.2.1"), 0,
                EnumSet.of(EndpointFlag.SUBFLOW, EndpointFlag.BACKUP), 3);
        assertGolden("endpoint-add-subflow-backup", AddAddr.of(e), d(AddAddr::decode));
    }

    @Test
    void endpointAddSignalWithPort() throws Exception {
        Endpoint e = new Endpoint(0, InetAddress.getByName("198.18.3.1"), 10000, Set.of(EndpointFlag.SIGNAL), 0);
        assertGolden("endpoint-add-signal-port", AddAddr.of(e), d(AddAddr::decode));
    }

    @Test
    void endpointAddSubflowFullmesh() throws Exception {
        Endpoint e = new Endpoint(7, InetAddress.getByName("198.18.4.1"), 0,
                EnumSet.of(EndpointFlag.SUBFLOW, EndpointFlag.FULLMESH), 3);
        assertGolden("endpoint-add-subflow-fullmesh", AddAddr.of(e), d(AddAddr::decode));
    }

    @Test
    void endpointDelete() throws Exception {
        assertGolden("endpoint-delete", DelAddr.byId(3), d(DelAddr::decode));
    }

    @Test
    void endpointShowAllIsADump() throws Exception {
        assertGolden("endpoint-show", GetAddr.dump(), d(GetAddr::decode));
    }

    @Test
    void endpointShowId() throws Exception {
        assertGolden("endpoint-show-id", GetAddr.byId(3), d(GetAddr::decode));
    }

    @Test
    void endpointFlush() throws Exception {
        assertGolden("endpoint-flush", new FlushAddrs(), d(FlushAddrs::decode));
    }

    @Test
    void endpointChangeBackup() throws Exception {
        assertGolden("endpoint-change-backup", SetFlags.endpoint(3, MptcpPmUapi.FLAG_BACKUP), d(SetFlags::decode));
    }

    @Test
    void endpointChangeNoBackup() throws Exception {
        assertGolden("endpoint-change-nobackup", SetFlags.endpoint(3, 0), d(SetFlags::decode));
    }

    @Test
    void limitsSet() throws Exception {
        assertGolden("limits-set", new SetLimits(new Limits(4, 4)), d(SetLimits::decode));
    }

    @Test
    void limitsShow() throws Exception {
        assertGolden("limits-show", new GetLimits(), d(GetLimits::decode));
    }

    @Test
    void familyLookupMatchesIproute2() throws Exception {
        GoldenCapture g = GoldenCapture.load("get-family");
        assertThat(g.type()).isEqualTo("nlctrl");
        NetlinkMessage m = GenericNetlink.getFamilyRequest("mptcp_pm");
        assertThat(m.type()).isEqualTo(Genl.GENL_ID_CTRL);
        assertThat(m.encode().length).isEqualTo(g.nlmsgLen());
        assertThat(m.flags()).isEqualTo(g.flags());
        assertThat(m.payload()).isEqualTo(g.payload());
    }
}
