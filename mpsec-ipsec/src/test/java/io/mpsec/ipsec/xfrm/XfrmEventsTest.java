package io.mpsec.ipsec.xfrm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.NativeIoException;
import io.mpsec.ipsec.xfrm.msg.NewSa;
import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.ipsec.xfrm.wire.XfrmUserExpire;
import io.mpsec.ipsec.xfrm.wire.XfrmUsersaInfo;
import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netlink.testing.FakeKernel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The pump-based subscription: push and pull delivery, and what it survives, on the fake kernel. */
class XfrmEventsTest {
    static NetlinkMessage expire(long spi) throws Exception {
        XfrmUsersaInfo info = XfrmUsersaInfo.read(ByteBuffer.wrap(NewSa.encode(XfrmClientTest.sa(spi), false).payload())
                .order(ByteOrder.nativeOrder()), 0);
        return FakeKernel.notification(Xfrm.XFRM_MSG_EXPIRE, new XfrmUserExpire(info, false).toBytes());
    }

    static void await(String what, BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(5);
        }
    }

    static NativeIoException errno(int errno, String name) {
        return new NativeIoException("recvfrom(AF_NETLINK)", errno, name, "recvfrom(AF_NETLINK) failed: " + name);
    }

    static long spi(XfrmEvent e) {
        return ((XfrmEvent.SaExpired) e).sa().spi();
    }

    @Test
    void subscribersGetEveryEventAndTheirExceptionsAreCounted() throws Exception {
        FakeKernel k = new FakeKernel(FakeKernel::ack);
        List<Long> got = new CopyOnWriteArrayList<>();
        try (XfrmEvents ev = new XfrmEvents(new NetlinkConnection(k))) {
            ev.subscribe(e -> {
                throw new IllegalStateException("subscriber bug");
            });
            ev.subscribe(e -> got.add(spi(e)));
            k.emit(Xfrm.XFRMNLGRP_EXPIRE, expire(0x1001));
            k.emit(Xfrm.XFRMNLGRP_EXPIRE, expire(0x1002));
            await("both delivered", () -> got.size() == 2);
            assertThat(got).containsExactly(0x1001L, 0x1002L);
            assertThat(ev.callbackFailures()).isEqualTo(2);
            assertThat(ev.next(0)).as("nothing queued while there are subscribers").isNull();
            assertThat(ev.failure()).isNull();
        }
    }

    @Test
    void withoutSubscribersTheNewestEventsQueueForNext() throws Exception {
        FakeKernel k = new FakeKernel(FakeKernel::ack);
        try (XfrmEvents ev = new XfrmEvents(new NetlinkConnection(k))) {
            int n = XfrmEvents.QUEUE_CAPACITY + 6;
            for (int i = 0; i < n; i++) {
                k.emit(Xfrm.XFRMNLGRP_EXPIRE, expire(0x1000 + i));
            }
            await("all read", () -> ev.dropped() == 6);
            assertThat(spi(ev.next(1000))).as("the 6 oldest were dropped").isEqualTo(0x1006);
        }
    }

    @Test
    void overrunsAndUndecodableMessagesAreCountedAndReadingGoesOn() throws Exception {
        FakeKernel k = new FakeKernel(FakeKernel::ack);
        List<String> overruns = new CopyOnWriteArrayList<>();
        try (XfrmEvents ev = new XfrmEvents(new NetlinkConnection(k))) {
            ev.onOverrun(() -> overruns.add("lost"));
            k.emitFailure(errno(Errno.ENOBUFS, "ENOBUFS"));
            k.emit(Xfrm.XFRMNLGRP_EXPIRE, FakeKernel.notification(Xfrm.XFRM_MSG_EXPIRE, new byte[10]));
            k.emit(Xfrm.XFRMNLGRP_ACQUIRE, FakeKernel.notification(Xfrm.XFRM_MSG_ACQUIRE, new byte[3]));
            k.emit(Xfrm.XFRMNLGRP_EXPIRE, expire(0x2001));
            assertThat(spi(ev.next(5000))).isEqualTo(0x2001);
            assertThat(ev.overruns()).isEqualTo(1);
            assertThat(overruns).containsExactly("lost");
            assertThat(ev.skipped()).isEqualTo(2);
            assertThat(ev.failure()).isNull();
        }
    }

    @Test
    void aFatalReceiveErrorEndsItAndNextSaysSo() throws Exception {
        FakeKernel k = new FakeKernel(FakeKernel::ack);
        XfrmEvents ev = new XfrmEvents(new NetlinkConnection(k));
        NativeIoException fatal = errno(Errno.EBADF, "EBADF");
        k.emitFailure(fatal);
        await("failed", () -> ev.failure() != null);
        assertThatThrownBy(() -> ev.next(100)).isInstanceOf(IOException.class).hasCause(fatal)
                .hasMessageContaining("subscription stopped").hasMessageContaining("EBADF");
        assertThat(ev.isClosed()).isFalse();
        assertThatThrownBy(ev::reopen).isInstanceOf(IOException.class).hasMessageContaining("cannot reopen itself")
                .hasMessageContaining("AutoRekey.builder(paths).subscriptions(xfrmClient::subscribe)");
        ev.close();
        assertThat(ev.isClosed()).isTrue();
        assertThat(k.isClosed()).isTrue();
        assertThatThrownBy(() -> ev.next(0)).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void aReceiveBufferSizeMustBePositive() {
        assertThatThrownBy(() -> XfrmEvents.open(null, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be positive").hasMessageContaining("XfrmClient.subscribe()");
    }
}
