package io.mpsec.kernel.pm;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netlink.testing.FakeKernel;
import io.mpsec.pm.PmEvent;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PmEventsTest {
    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    static List<PmEvent> samples() throws Exception {
        PmEvent.Endpoints ep = new PmEvent.Endpoints(ip("198.18.1.1"), 40001, ip("198.18.1.2"), 5201);
        PmEvent.Endpoints ep6 = new PmEvent.Endpoints(ip("2001:db8::1"), 40002, ip("2001:db8::2"), 443);
        long t = 0x8c9e1af2L;
        return List.of(new PmEvent.Created(t, ep, false), new PmEvent.Established(t, ep6, true), new PmEvent.Closed(t),
                new PmEvent.Announced(t, 1, ip("198.18.2.2"), 5201), new PmEvent.Removed(t, 1),
                new PmEvent.SubflowEstablished(t, 1, 0, ep, false, 3), new PmEvent.SubflowClosed(t, 1, 0, ep, true, 111),
                new PmEvent.SubflowPriority(t, 1, 0, ep, true), new PmEvent.ListenerCreated(ip("0.0.0.0"), 5201),
                new PmEvent.ListenerClosed(ip("198.18.1.2"), 5201), new PmEvent.Other(42, t));
    }

    @Test
    void everyEventRoundTrips() throws Exception {
        for (PmEvent e : samples()) {
            assertThat(PmEvents.decode(PmEvents.encode(28, e))).isEqualTo(e);
        }
    }

    @Test
    void eventPortsAreNetworkOrderOnTheWire() throws Exception {
        // 5201 = 0x1451: big-endian 14 51 in MPTCP_ATTR_DPORT (type 10)
        NetlinkMessage m = PmEvents.encode(28, new PmEvent.Announced(1, 1, ip("198.18.2.2"), 5201));
        assertThat(MptcpPathManagerFakeKernelTest.indexOf(m.payload(), new byte[] {6, 0, 10, 0, 0x14, 0x51})).isNotNegative();
    }

    @Test
    void listenerDeliversDecodedEventsAndJoinsByToken() throws Exception {
        FakeKernel k = new FakeKernel(FakeKernel.withFamilies(FakeKernel::ack,
                FakeKernel.family("mptcp_pm", 28, 1, 11, Map.of("mptcp_pm_cmds", 8, "mptcp_pm_events", 9))));
        try (PmEventListener l = PmEventListener.start(new NetlinkConnection(k), "test")) {
            assertThat(k.joinedGroups()).containsExactly(9);
            List<PmEvent> joined = new CopyOnWriteArrayList<>();
            l.forToken(0x8c9e1af2L, joined::add);
            k.emit(9, PmEvents.encode(28, new PmEvent.Closed(7)));
            for (PmEvent e : samples()) {
                k.emit(9, PmEvents.encode(28, e));
            }
            k.emit(8, PmEvents.encode(28, new PmEvent.Closed(99))); // a group we did not join
            assertThat(l.poll(5, TimeUnit.SECONDS)).isEqualTo(new PmEvent.Closed(7));
            for (PmEvent e : samples()) {
                assertThat(l.poll(5, TimeUnit.SECONDS)).isEqualTo(e);
            }
            assertThat(l.poll(50, TimeUnit.MILLISECONDS)).isNull();
            assertThat(joined).hasSize(9).allMatch(e -> e.token() == 0x8c9e1af2L);
        }
    }

    @Test
    void queueIsBoundedDropsTheOldestAndSubscribersOnlyKeepsNothing() throws Exception {
        FakeKernel k = new FakeKernel(FakeKernel.withFamilies(FakeKernel::ack,
                FakeKernel.family("mptcp_pm", 28, 1, 11, Map.of("mptcp_pm_events", 9))));
        try (PmEventListener l = PmEventListener.start(new NetlinkConnection(k), "test")) {
            int extra = 5;
            for (int i = 1; i <= PmEventListener.QUEUE_CAPACITY + extra; i++) {
                k.emit(9, PmEvents.encode(28, new PmEvent.Closed(i)));
            }
            k.emit(9, new io.mpsec.kernel.netlink.NetlinkMessage(28, 0, 0, 0, new byte[] {1})); // undecodable
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((l.dropped() < extra || l.skipped() < 1) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(l.dropped()).isEqualTo(extra);
            assertThat(l.skipped()).isEqualTo(1);
            assertThat(l.poll(5, TimeUnit.SECONDS)).isEqualTo(new PmEvent.Closed(extra + 1));
            l.subscribersOnly();
            List<PmEvent> seen = new CopyOnWriteArrayList<>();
            l.subscribe(seen::add);
            k.emit(9, PmEvents.encode(28, new PmEvent.Closed(99999)));
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (seen.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(seen).containsExactly(new PmEvent.Closed(99999));
            assertThat(l.failure()).isNull();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> l.poll(1, TimeUnit.MILLISECONDS))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("subscribers only");
        }
    }
}
