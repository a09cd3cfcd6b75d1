package io.mpsec.kernel.pm;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.fuzz.Seeds;
import io.mpsec.kernel.netlink.Attribute;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.pm.PmEvent;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The mptcp_pm events a real kernel sent to {@code ip mptcp monitor} on both ends of a two-path
 * connection (golden/replies/pm-events-*.txt, made by capture.sh there): client to
 * 198.18.1.2:5000, server signal endpoint 198.18.2.2 id 7, client subflow endpoint 198.18.2.1 id 3
 * later set to backup and deleted. Everything decodes, and attributes the records do not carry are
 * kept.
 */
class PmEventsCaptureTest {
    static List<PmEvents.Decoded> events(String capture) throws Exception {
        int pm = Seeds.mptcpPmFamily();
        List<PmEvents.Decoded> out = new ArrayList<>();
        for (byte[] m : Seeds.messages(t -> t == pm, capture)) {
            out.add(PmEvents.decodeKeepingUnknown(NetlinkMessage.decodeAll(m).get(0)));
        }
        return out;
    }

    @Test
    void clientEventsMatchWhatTheCaptureScriptDid() throws Exception {
        List<PmEvents.Decoded> ev = events("pm-events-client");
        PmEvent.Created created = (PmEvent.Created) ev.get(0).event();
        assertThat(created.serverSide()).isFalse();
        assertThat(created.endpoints().remote()).isEqualTo(InetAddress.getByName("198.18.1.2"));
        assertThat(created.endpoints().remotePort()).isEqualTo(5000);
        assertThat(ev).extracting(PmEvents.Decoded::event).filteredOn(e -> e instanceof PmEvent.Announced)
                .allSatisfy(e -> {
                    assertThat(((PmEvent.Announced) e).address()).isEqualTo(InetAddress.getByName("198.18.2.2"));
                    assertThat(((PmEvent.Announced) e).remoteId()).isEqualTo(7);
                });
        assertThat(ev).extracting(PmEvents.Decoded::event).hasAtLeastOneElementOfType(PmEvent.SubflowClosed.class)
                .hasAtLeastOneElementOfType(PmEvent.Removed.class).hasAtLeastOneElementOfType(PmEvent.Closed.class);
        // every event of one connection carries its token
        assertThat(ev).extracting(d -> d.event().token()).containsOnly(created.token(), ev.get(5).event().token());
        // CREATED also carries MPTCP_ATTR_LOC_ID / REM_ID, which the record leaves out: kept raw
        assertThat(ev.get(0).unknown()).extracting(Attribute::kind)
                .contains(MptcpPmUapi.EV_ATTR_LOC_ID, MptcpPmUapi.EV_ATTR_REM_ID);
    }

    @Test
    void serverEventsIncludeListenersAndTheBackupChange() throws Exception {
        List<PmEvents.Decoded> ev = events("pm-events-server");
        assertThat(ev).extracting(PmEvents.Decoded::event).hasAtLeastOneElementOfType(PmEvent.ListenerCreated.class)
                .hasAtLeastOneElementOfType(PmEvent.ListenerClosed.class);
        assertThat(ev).extracting(PmEvents.Decoded::event).filteredOn(e -> e instanceof PmEvent.SubflowPriority)
                .singleElement().satisfies(e -> assertThat(((PmEvent.SubflowPriority) e).backup()).isTrue());
        assertThat(ev).extracting(PmEvents.Decoded::event).filteredOn(e -> e instanceof PmEvent.Created)
                .allSatisfy(e -> assertThat(((PmEvent.Created) e).serverSide()).isTrue());
        // the server's CREATED carries MPTCP_ATTR_FLAGS (13): not in the record, kept
        assertThat(ev).filteredOn(d -> d.event() instanceof PmEvent.Created)
                .allSatisfy(d -> assertThat(d.unknown()).extracting(Attribute::kind).contains(MptcpPmUapi.EV_ATTR_FLAGS));
    }
}
