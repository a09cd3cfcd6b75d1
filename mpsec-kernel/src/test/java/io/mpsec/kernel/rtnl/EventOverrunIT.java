package io.mpsec.kernel.rtnl;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.netlink.Netlink;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkSocket;
import io.mpsec.kernel.netlink.NotificationPump;
import io.mpsec.testbed.Testbed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real receive-buffer overflow (ENOBUFS): a burst of address events into a socket with a tiny
 * buffer. The error is recognised as an overrun, and a watcher over that socket counts it and keeps
 * delivering events instead of dying.
 */
class EventOverrunIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c").build();

    @TempDir
    Path tmp;

    private static final int BURST = 200;

    private void batch(Testbed.Host c, String verb) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= BURST; i++) {
            b.append("addr ").append(verb).append(" 198.18.250.").append(i).append("/32 dev lo\n");
        }
        Path f = tmp.resolve(verb + ".batch");
        Files.writeString(f, b.toString());
        c.execOk("ip", "-batch", f.toString());
    }

    @Test
    void aBurstThatOverflowsTheBufferIsCountedAndTheWatcherContinues() throws Exception {
        Testbed.Host c = NET.host("c");
        NetlinkSocket sock = c.call(() -> NetlinkSocket.open(Netlink.NETLINK_ROUTE));
        sock.joinGroup(Rtnl.RTNLGRP_IPV4_IFADDR);
        sock.receiveBufferSize(1); // the kernel rounds up to its minimum (a few KiB)
        batch(c, "add"); // ~200 RTM_NEWADDR of ~80 bytes each, far beyond the buffer
        LinkedBlockingQueue<RtnlEvent> q = new LinkedBlockingQueue<>();
        // The watcher's first receive meets the pending overflow (ENOBUFS).
        try (RtnlWatcher w = RtnlWatcher.start(new NetlinkConnection(sock), "overrun")) {
            w.subscribe(q::add);
            long until = System.currentTimeMillis() + 10_000;
            while (w.overruns() == 0 && w.failure() == null && System.currentTimeMillis() < until) {
                Thread.sleep(20);
            }
            assertThat(w.failure()).as("an overflow must not stop the watcher").isNull();
            assertThat(w.overruns()).as("the overflow was recognised as ENOBUFS and counted").isEqualTo(1);
            // Events after the overrun still arrive: remove the addresses again.
            batch(c, "del");
            long deadline = System.currentTimeMillis() + 10_000;
            int removed = 0;
            while (removed < 1 && System.currentTimeMillis() < deadline) {
                RtnlEvent e = q.poll(100, TimeUnit.MILLISECONDS);
                if (e instanceof RtnlEvent.AddressChanged ac && ac.removed()
                        && ac.address().address().getHostAddress().startsWith("198.18.250.")) {
                    removed++;
                }
            }
            assertThat(removed).as("address-removed events after the overflow").isPositive();
            assertThat(w.failure()).isNull();
            System.out.println("overruns=" + w.overruns() + " skipped=" + w.skipped());
        }
        assertThat(c.execOk("ip", "-4", "-o", "addr", "show", "dev", "lo").stdout()).doesNotContain("198.18.250.");
    }
}
