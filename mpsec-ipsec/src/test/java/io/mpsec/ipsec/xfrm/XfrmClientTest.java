package io.mpsec.ipsec.xfrm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.ipsec.Direction;
import io.mpsec.ipsec.SaAlgorithm;
import io.mpsec.ipsec.SecretBytes;
import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.SecurityPolicy;
import io.mpsec.ipsec.Selector;
import io.mpsec.ipsec.Template;
import io.mpsec.ipsec.xfrm.msg.NewPolicy;
import io.mpsec.ipsec.xfrm.msg.NewSa;
import io.mpsec.ipsec.xfrm.msg.SaId;
import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.ipsec.xfrm.wire.XfrmAddress;
import io.mpsec.ipsec.xfrm.wire.XfrmId;
import io.mpsec.ipsec.xfrm.wire.XfrmLifetimeCfg;
import io.mpsec.ipsec.xfrm.wire.XfrmLifetimeCur;
import io.mpsec.ipsec.xfrm.wire.XfrmSelector;
import io.mpsec.ipsec.xfrm.wire.XfrmStats;
import io.mpsec.ipsec.xfrm.wire.XfrmUserExpire;
import io.mpsec.ipsec.xfrm.wire.XfrmUserAcquire;
import io.mpsec.ipsec.xfrm.wire.XfrmUserpolicyInfo;
import io.mpsec.ipsec.xfrm.wire.XfrmUsersaInfo;
import io.mpsec.kernel.netlink.Netlink;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netlink.testing.FakeKernel;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** XfrmClient against the message-level fake kernel. */
class XfrmClientTest {
    static InetAddress ip(String s) throws java.net.UnknownHostException {
        return InetAddress.getByName(s);
    }

    static SecurityAssociation sa(long spi) throws Exception {
        return SecurityAssociation.builder().source(ip("198.18.1.1")).destination(ip("198.18.1.2")).spi(spi).reqid(5)
                .algorithm(SaAlgorithm.aesGcm(SecretBytes.wrap(new byte[36]))).build();
    }

    @Test
    void newSaOnAKernelWithoutEspSaysSo() throws Exception {
        // What this host's 6.18 kernel (no CONFIG_INET_ESP, no gcm) answers; see XfrmHostIT for the real one.
        FakeKernel k = new FakeKernel(req -> FakeKernel.error(req, 38, "Requested AEAD algorithm not found"));
        try (XfrmClient c = new XfrmClient(new NetlinkConnection(k))) {
            assertThatThrownBy(() -> c.addSa(sa(0x1001))).isInstanceOf(EspUnsupportedException.class)
                    .hasMessageContaining("this kernel has no ESP support").hasMessageContaining("CONFIG_INET_ESP")
                    .hasMessageContaining("esp4/esp6").hasMessageContaining("ENOSYS")
                    .hasMessageContaining("Requested AEAD algorithm not found")
                    .satisfies(e -> assertThat(((XfrmException) e).errno()).isEqualTo(38));
        }
        FakeKernel k2 = new FakeKernel(req -> FakeKernel.error(req, 93, "Requested type not found"));
        try (XfrmClient c = new XfrmClient(new NetlinkConnection(k2))) {
            assertThatThrownBy(() -> c.updateSa(sa(0x1001))).isInstanceOf(EspUnsupportedException.class)
                    .hasMessageContaining("EPROTONOSUPPORT");
        }
    }

    @Test
    void otherErrorsKeepErrnoAndExtAck() throws Exception {
        FakeKernel k = new FakeKernel(req -> FakeKernel.error(req, 17, null));
        try (XfrmClient c = new XfrmClient(new NetlinkConnection(k))) {
            assertThatThrownBy(() -> c.addSa(sa(0x1001))).isInstanceOf(XfrmException.class)
                    .isNotInstanceOf(EspUnsupportedException.class).hasMessageContaining("EEXIST")
                    .hasMessageContaining("xfrm NEWSA 198.18.1.1 -> 198.18.1.2 spi 0x00001001");
        }
    }

    @Test
    void dumpsDecodeSasWithCountersAndPolicies() throws Exception {
        SecurityAssociation one = sa(0x1001);
        SecurityAssociation two = sa(0x2002);
        SecurityPolicy pol = SecurityPolicy.builder().selector(Selector.hosts(ip("198.18.1.1"), ip("198.18.1.2")))
                .direction(Direction.OUT).priority(10).template(Template.transport(ip("198.18.1.1"), ip("198.18.1.2"), 5)).build();
        FakeKernel k = new FakeKernel(req -> {
            if (req.type() == Xfrm.XFRM_MSG_GETSA) {
                List<byte[]> parts = new ArrayList<>();
                for (SecurityAssociation s : List.of(one, two)) {
                    byte[] p = NewSa.encode(s, false).payload();
                    // as the kernel reports: counters filled in
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(p).order(java.nio.ByteOrder.nativeOrder());
                    b.putLong(160, 12345);
                    b.putLong(168, 67);
                    b.putInt(196, 2);
                    b.putInt(200, 3);
                    parts.add(p);
                }
                return FakeKernel.dump(req, Xfrm.XFRM_MSG_NEWSA, parts);
            }
            return FakeKernel.dump(req, Xfrm.XFRM_MSG_NEWPOLICY, List.of(NewPolicy.encode(pol, false).payload()));
        });
        try (XfrmClient c = new XfrmClient(new NetlinkConnection(k))) {
            List<InstalledSa> sas = c.dumpSas();
            assertThat(sas).extracting(InstalledSa::sa).containsExactly(one, two);
            assertThat(sas.get(0).counters()).isEqualTo(new SaCounters(12345, 67, 2, 3, 0, 0, 0));
            assertThat(c.dumpPolicies()).containsExactly(pol);
        }
        assertThat(k.lastRequest().flags() & Netlink.NLM_F_DUMP).isEqualTo(Netlink.NLM_F_DUMP);
    }

    @Test
    void getSaAndAllocSpi() throws Exception {
        SecurityAssociation one = sa(0x1001);
        FakeKernel k = new FakeKernel(req -> {
            if (req.type() == Xfrm.XFRM_MSG_ALLOCSPI) {
                XfrmUsersaInfo i = new XfrmUsersaInfo(XfrmSelector.EMPTY, new XfrmId(XfrmAddress.of(ip("198.18.1.2")), 0xc0ffee,
                        50), XfrmAddress.of(ip("198.18.1.1")), XfrmLifetimeCfg.ZERO, XfrmLifetimeCur.ZERO, XfrmStats.ZERO, 0, 5, 2,
                        0, 0, 0);
                return List.of(FakeKernel.reply(req, Xfrm.XFRM_MSG_NEWSA, i.toBytes()));
            }
            return List.of(FakeKernel.reply(req, Xfrm.XFRM_MSG_NEWSA, NewSa.encode(one, false).payload()));
        });
        try (XfrmClient c = new XfrmClient(new NetlinkConnection(k))) {
            assertThat(c.getSa(new SaId(ip("198.18.1.1"), ip("198.18.1.2"), 0x1001)).orElseThrow().sa()).isEqualTo(one);
            assertThat(c.allocateSpi(ip("198.18.1.1"), ip("198.18.1.2"), 5, io.mpsec.ipsec.Mode.TRANSPORT, 0x100, 0xffffff))
                    .isEqualTo(0xc0ffee);
        }
    }

    @Test
    void expireAndAcquireBecomeTypedEvents() throws Exception {
        FakeKernel k = new FakeKernel(FakeKernel::ack);
        try (XfrmEvents ev = new XfrmEvents(new NetlinkConnection(k))) {
            assertThat(k.joinedGroups()).containsExactly(Xfrm.XFRMNLGRP_ACQUIRE, Xfrm.XFRMNLGRP_EXPIRE);
            XfrmUsersaInfo info = XfrmUsersaInfo.read(java.nio.ByteBuffer.wrap(NewSa.encode(sa(0x1001), false).payload())
                    .order(java.nio.ByteOrder.nativeOrder()), 0);
            info = new XfrmUsersaInfo(info.sel(), info.id(), info.saddr(), info.lft(), new XfrmLifetimeCur(5000, 10, 0, 0),
                    info.stats(), 0, info.reqid(), info.family(), info.mode(), 0, 0);
            k.emit(Xfrm.XFRMNLGRP_EXPIRE, FakeKernel.notification(Xfrm.XFRM_MSG_EXPIRE, new XfrmUserExpire(info, false).toBytes()));
            k.emit(Xfrm.XFRMNLGRP_SA, FakeKernel.notification(Xfrm.XFRM_MSG_NEWSA, info.toBytes())); // not joined: dropped
            XfrmSelector sel = new XfrmSelector(XfrmAddress.of(ip("198.18.1.2")), XfrmAddress.of(ip("198.18.1.1")), 0, 0, 0, 0,
                    2, 32, 32, 6, 0, 0);
            XfrmUserpolicyInfo pol = new XfrmUserpolicyInfo(sel, XfrmLifetimeCfg.UNLIMITED, XfrmLifetimeCur.ZERO, 1, 0, 1, 0, 0, 0);
            k.emit(Xfrm.XFRMNLGRP_ACQUIRE, FakeKernel.notification(Xfrm.XFRM_MSG_ACQUIRE, new XfrmUserAcquire(
                    new XfrmId(XfrmAddress.of(ip("198.18.1.2")), 0, 50), XfrmAddress.of(ip("198.18.1.1")), sel, pol, 0, 0, 0, 9)
                    .toBytes()));
            XfrmEvent e1 = ev.next(1000);
            assertThat(e1).isEqualTo(new XfrmEvent.SaExpired(new SaId(ip("198.18.1.1"), ip("198.18.1.2"), 0x1001), 5, false, 5000, 10));
            XfrmEvent e2 = ev.next(1000);
            assertThat(e2).isInstanceOf(XfrmEvent.Acquire.class);
            XfrmEvent.Acquire a = (XfrmEvent.Acquire) e2;
            assertThat(a.destination()).isEqualTo(ip("198.18.1.2"));
            assertThat(a.direction()).isEqualTo(Direction.OUT);
            assertThat(a.seq()).isEqualTo(9);
            assertThat(a.selector().protocol()).isEqualTo(6);
            assertThat(ev.next(10)).isNull();
        }
    }
}
