package io.mpsec.kernel.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.NativeIoException;
import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.netlink.testing.FakeKernel;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The notification thread survives overruns and malformed messages, and reports what stops it. */
class NotificationPumpTest {
    private static NetlinkMessage note(int type) {
        return FakeKernel.notification(type, new byte[] {1, 2, 3, 4});
    }

    private static NativeIoException enobufs() {
        return new NativeIoException("recvfrom(AF_NETLINK)", Errno.ENOBUFS, "ENOBUFS", "recvfrom(AF_NETLINK) failed: ENOBUFS");
    }

    @Test
    void continuesAfterOverrunAndUndecodableMessagesAndCountsThem() throws Exception {
        FakeKernel k = new FakeKernel(FakeKernel::ack);
        BlockingQueue<Integer> got = new LinkedBlockingQueue<>();
        BlockingQueue<String> overrun = new LinkedBlockingQueue<>();
        try (NotificationPump p = NotificationPump.start(new NetlinkConnection(k), "t", m -> {
            if (m.type() == 0x66) {
                throw new NetlinkFormatException("bad attribute in test message");
            }
            got.add(m.type());
        })) {
            p.onOverrun(() -> overrun.add("lost"));
            k.emit(0, note(0x20));
            k.emitFailure(enobufs());
            k.emit(0, note(0x21));
            k.emitRaw(new byte[] {(byte) 0xff, 0, 0, 0, 1, 2}); // length field past the datagram
            k.emit(0, note(0x66)); // the handler cannot decode it
            k.emit(0, note(0x22));
            assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo(0x20);
            assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo(0x21);
            assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo(0x22);
            assertThat(overrun.poll(5, TimeUnit.SECONDS)).isEqualTo("lost");
            assertThat(p.overruns()).isEqualTo(1);
            assertThat(p.skipped()).isEqualTo(2);
            assertThat(p.failure()).isNull();
        }
    }

    @Test
    void otherReceiveErrorsStopTheThreadAndReachTheFailureListeners() throws Exception {
        FakeKernel k = new FakeKernel(FakeKernel::ack);
        BlockingQueue<IOException> failures = new LinkedBlockingQueue<>();
        List<Integer> got = new CopyOnWriteArrayList<>();
        try (NotificationPump p = NotificationPump.start(new NetlinkConnection(k), "t", m -> got.add(m.type()))) {
            p.onFailure(failures::add);
            IOException fatal = new NativeIoException("recvfrom(AF_NETLINK)", Errno.EBADF, "EBADF", "recvfrom failed: EBADF");
            k.emitFailure(fatal);
            k.emit(0, note(0x20));
            assertThat(failures.poll(5, TimeUnit.SECONDS)).isSameAs(fatal);
            assertThat(p.failure()).isSameAs(fatal);
            // A listener added after the failure hears of it at once.
            List<IOException> late = new CopyOnWriteArrayList<>();
            p.onFailure(late::add);
            assertThat(late).containsExactly(fatal);
            assertThat(got).isEmpty();
        }
    }
}
