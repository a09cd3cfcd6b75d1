package io.mpsec.kernel.rtnl;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netlink.testing.FakeKernel;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RtnetlinkTest {
    private static final Link LO = new Link(1, "lo", Rtnl.IFF_UP | Rtnl.IFF_LOWER_UP | Rtnl.IFF_RUNNING);
    private static final Link C1 = new Link(3, "c1", Rtnl.IFF_UP);

    @Test
    void listsLinksAndAddresses() throws Exception {
        Address a4 = new Address(3, InetAddress.getByName("198.18.1.1"), 24, "c1");
        Address a6 = new Address(3, InetAddress.getByName("2001:db8::1"), 64, null);
        FakeKernel k = new FakeKernel(req -> {
            if (req.type() == Rtnl.RTM_GETLINK) {
                assertThat(req.payloadLength()).isEqualTo(IfInfoMsg.SIZEOF);
                return FakeKernel.dump(req, Rtnl.RTM_NEWLINK, List.of(RtnlCodec.encodeLink(LO), RtnlCodec.encodeLink(C1)));
            }
            return FakeKernel.dump(req, Rtnl.RTM_NEWADDR, List.of(RtnlCodec.encodeAddress(a4), RtnlCodec.encodeAddress(a6)));
        });
        try (Rtnetlink r = new Rtnetlink(new NetlinkConnection(k))) {
            assertThat(r.links()).containsExactly(LO, C1);
            assertThat(r.addresses()).containsExactly(a4, a6);
        }
        assertThat(LO.up()).isTrue();
        assertThat(C1.adminUp()).isTrue();
        assertThat(C1.up()).isFalse(); // no carrier
    }

    @Test
    void structsRoundTrip() throws Exception {
        IfInfoMsg i = new IfInfoMsg(10, 772, 7, 0x11043, 0xffffffff);
        assertThat(IfInfoMsg.decode(i.encode())).isEqualTo(i);
        IfAddrMsg a = new IfAddrMsg(2, 24, 0x80, 0, 9);
        assertThat(IfAddrMsg.decode(a.encode())).isEqualTo(a);
    }

    @Test
    void watcherDeliversLinkAndAddressEvents() throws Exception {
        FakeKernel k = new FakeKernel(FakeKernel::ack);
        LinkedBlockingQueue<RtnlEvent> q = new LinkedBlockingQueue<>();
        try (RtnlWatcher w = RtnlWatcher.start(new NetlinkConnection(k), "t")) {
            w.subscribe(q::add);
            assertThat(k.joinedGroups()).containsExactly(Rtnl.RTNLGRP_LINK, Rtnl.RTNLGRP_IPV4_IFADDR, Rtnl.RTNLGRP_IPV6_IFADDR);
            k.emit(Rtnl.RTNLGRP_LINK, FakeKernel.notification(Rtnl.RTM_NEWLINK, RtnlCodec.encodeLink(C1)));
            Address a = new Address(3, InetAddress.getByName("198.18.1.1"), 24, "c1");
            k.emit(Rtnl.RTNLGRP_IPV4_IFADDR, FakeKernel.notification(Rtnl.RTM_DELADDR, RtnlCodec.encodeAddress(a)));
            assertThat(q.poll(5, TimeUnit.SECONDS)).isEqualTo(new RtnlEvent.LinkChanged(C1, false));
            assertThat(q.poll(5, TimeUnit.SECONDS)).isEqualTo(new RtnlEvent.AddressChanged(a, true));
        }
    }
}
