package io.mpsec.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.netlink.AttributeWriter;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.rtnl.IfInfoMsg;
import io.mpsec.kernel.rtnl.Rtnl;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class LinkStatsTest {
    /** An RTM_NEWLINK payload as the kernel sends it: ifinfomsg, IFLA_IFNAME, IFLA_STATS64 (24 __u64). */
    static NetlinkMessage newLink(int index, String name, long... first8) {
        ByteBuffer s = ByteBuffer.allocate(24 * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : first8) {
            s.putLong(v);
        }
        byte[] head = new IfInfoMsg(Rtnl.AF_UNSPEC, 1, index, Rtnl.IFF_UP, 0).encode();
        byte[] attrs = new AttributeWriter().string(LinkStats.IFLA_IFNAME, name).bytes(LinkStats.IFLA_STATS64, s.array())
                .toByteArray();
        byte[] p = new byte[head.length + attrs.length];
        System.arraycopy(head, 0, p, 0, head.length);
        System.arraycopy(attrs, 0, p, head.length, attrs.length);
        return new NetlinkMessage(Rtnl.RTM_NEWLINK, 0, 1, 0, p);
    }

    @Test
    void decodesTheFieldsInTheOrderOfRtnlLinkStats64() throws Exception {
        // rx_packets, tx_packets, rx_bytes, tx_bytes, rx_errors, tx_errors, rx_dropped, tx_dropped
        LinkStats s = LinkStats.decode(newLink(7, "veth1", 1, 2, 3, 4, 5, 6, 7, 8));
        assertThat(s).isEqualTo(new LinkStats(7, "veth1", 3, 4, 1, 2, 5, 6, 7, 8));
        // unsigned 64-bit values beyond Long.MAX_VALUE keep their bits
        assertThat(LinkStats.decode(newLink(1, "lo", 0, 0, -1L, 0, 0, 0, 0, 0)).rxBytes()).isEqualTo(-1L);
    }

    @Test
    void aMessageWithoutStats64IsSkipped() throws Exception {
        byte[] head = new IfInfoMsg(Rtnl.AF_UNSPEC, 1, 3, 0, 0).encode();
        byte[] attrs = new AttributeWriter().string(LinkStats.IFLA_IFNAME, "x").toByteArray();
        byte[] p = new byte[head.length + attrs.length];
        System.arraycopy(head, 0, p, 0, head.length);
        System.arraycopy(attrs, 0, p, head.length, attrs.length);
        assertThat(LinkStats.decode(new NetlinkMessage(Rtnl.RTM_NEWLINK, 0, 1, 0, p))).isNull();
    }
}
