package io.mpsec.ipsec.xfrm;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.ipsec.Mode;
import io.mpsec.ipsec.xfrm.msg.GetAe;
import io.mpsec.ipsec.xfrm.msg.SaId;
import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.testbed.Testbed;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * GETAE against this host's kernel (no ESP needed): a larval SA from ALLOCSPI has an id, a reqid and
 * lifetime counters, so every field of the kernel's NEWAE answer can be checked against what was
 * installed and against {@code ip -s xfrm state}. The kernel lane checks bytes and packets under
 * traffic (SaUsageLaneIT).
 */
class XfrmAeventIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(1, 0).build();

    @Test
    void getAeOfALarvalSaMatchesWhatWasInstalledAndIproute2() throws Exception {
        Testbed.Host c = NET.host("c");
        try (NetNamespace ns = NetNamespace.open(c.namespace()); XfrmClient x = XfrmClient.open(ns);
                NetlinkConnection raw = NetlinkConnection.open(Xfrm.NETLINK_XFRM, ns)) {
            long spi = x.allocateSpi(c.address(1), NET.host("s").address(1), 7, Mode.TRANSPORT, 0x3000, 0x3fff);
            SaId id = new SaId(c.address(1), NET.host("s").address(1), spi);
            GetAe.Decoded d = GetAe.decode(raw.requestOne("GETAE", GetAe.encode(id)));
            assertThat(d.id().saId().spi()).isEqualTo(spi);
            assertThat(d.id().saId().family()).isEqualTo(Xfrm.AF_INET);
            assertThat(d.id().saId().proto()).isEqualTo(Xfrm.IPPROTO_ESP);
            assertThat(d.id().saId().daddr().toInet(Xfrm.AF_INET)).isEqualTo(NET.host("s").address(1));
            assertThat(d.id().saddr().toInet(Xfrm.AF_INET)).isEqualTo(c.address(1));
            assertThat(d.id().reqid()).isEqualTo(7);
            assertThat(d.id().flags()).as("flags echoed").isEqualTo(Xfrm.XFRM_AE_RVAL | Xfrm.XFRM_AE_LVAL);
            assertThat(d.other()).extracting(a -> a.kind()).contains(Xfrm.XFRMA_REPLAY_VAL);
            SaUsage u = x.usage(id).orElseThrow();
            assertThat(u.bytes()).isZero();
            assertThat(u.packets()).isZero();
            assertThat(u.useTime()).isZero();
            long now = System.currentTimeMillis() / 1000;
            assertThat(u.addTime()).isBetween(now - 60, now + 1);
            String ip = c.execOk("env", "TZ=UTC", "ip", "-s", "xfrm", "state").stdout();
            String add = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").format(Instant.ofEpochSecond(u.addTime())
                    .atOffset(ZoneOffset.UTC));
            assertThat(ip).contains(String.format("spi 0x%08x", spi)).contains("0(bytes), 0(packets)")
                    .contains("add " + add + " use -");
            // an SA that does not exist: the kernel says ESRCH
            assertThat(x.usage(new SaId(c.address(1), NET.host("s").address(1), spi + 1))).isEmpty();
            x.flushSas();
            assertThat(x.usage(id)).isEmpty();
        }
    }
}
