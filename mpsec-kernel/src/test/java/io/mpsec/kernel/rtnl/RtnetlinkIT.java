package io.mpsec.kernel.rtnl;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.testbed.Testbed;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Links, addresses and link events in a test namespace, cross-checked with iproute2 and sysfs. */
class RtnetlinkIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 0).build();

    @Test
    void listsWhatIproute2ShowsAndReportsLinkDownAndUp() throws Exception {
        Testbed.Host c = NET.host("c");
        try (Rtnetlink r = c.call(() -> Rtnetlink.open(null))) {
            int idx = Integer.parseInt(c.execOk("cat", "/sys/class/net/" + c.iface(2) + "/ifindex").stdout().trim());
            assertThat(r.links()).anySatisfy(l -> {
                assertThat(l.name()).isEqualTo(c.iface(2));
                assertThat(l.index()).isEqualTo(idx);
                assertThat(l.up()).isTrue();
            });
            assertThat(r.links()).extracting(Link::name).contains("lo", c.iface(1), c.iface(2));
            assertThat(r.addresses()).anySatisfy(a -> {
                assertThat(a.address()).isEqualTo(c.address(2));
                assertThat(a.ifIndex()).isEqualTo(idx);
                assertThat(a.prefixLen()).isEqualTo(24);
            });
            assertThat(c.execOk("ip", "-4", "-o", "addr", "show", "dev", c.iface(2)).stdout())
                    .contains(c.address(2).getHostAddress() + "/24");

            LinkedBlockingQueue<RtnlEvent> q = new LinkedBlockingQueue<>();
            try (RtnlWatcher w = c.call(() -> RtnlWatcher.open(null))) {
                w.subscribe(q::add);
                NET.path(2).cut();
                assertThat(awaitLink(q, idx, false)).isTrue();
                NET.path(2).restore();
                assertThat(awaitLink(q, idx, true)).isTrue();
            }
        }
    }

    private static boolean awaitLink(LinkedBlockingQueue<RtnlEvent> q, int idx, boolean up) throws InterruptedException {
        long end = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < end) {
            RtnlEvent e = q.poll(100, TimeUnit.MILLISECONDS);
            if (e instanceof RtnlEvent.LinkChanged lc && lc.link().index() == idx && lc.link().up() == up) {
                return true;
            }
        }
        return false;
    }
}
