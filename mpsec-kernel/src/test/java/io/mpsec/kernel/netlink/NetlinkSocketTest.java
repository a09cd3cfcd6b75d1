package io.mpsec.kernel.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.kernel.ffi.Errno;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A real NETLINK_ROUTE socket (no privileges needed): the close bracket, NETLINK_CAP_ACK, and
 * attribute printing that never shows values.
 */
class NetlinkSocketTest {
    /** A message type rtnetlink does not know: the kernel answers EOPNOTSUPP with the request echoed. */
    private static final int UNKNOWN_TYPE = 0x7f0;

    private static NetlinkMessage bogusRequest() {
        byte[] payload = new byte[64];
        java.util.Arrays.fill(payload, (byte) 0x5a); // stands in for key material
        return new NetlinkMessage(UNKNOWN_TYPE, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 42, 0, payload);
    }

    private static NetlinkMessage errorReply(NetlinkSocket s) throws Exception {
        s.send(bogusRequest().encode());
        byte[] d = s.receive(5000);
        assertThat(d).as("the kernel answers").isNotNull();
        List<NetlinkMessage> ms = NetlinkMessage.decodeAll(d);
        assertThat(ms).singleElement().extracting(NetlinkMessage::type).isEqualTo(Netlink.NLMSG_ERROR);
        return ms.get(0);
    }

    @Test
    void capAckByDefaultSoErrorsDoNotEchoTheRequestPayload() throws Exception {
        try (NetlinkSocket s = NetlinkSocket.open(Netlink.NETLINK_ROUTE)) {
            NetlinkMessage m = errorReply(s);
            assertThat(m.hasFlag(Netlink.NLM_F_CAPPED)).isTrue();
            assertThat(NetlinkError.decode(m).errno()).isEqualTo(Errno.EOPNOTSUPP);
            assertThat(m.payloadLength()).isLessThan(NetlinkError.MIN_SIZE + 64);
        }
        try (NetlinkSocket s = NetlinkSocket.open(Netlink.NETLINK_ROUTE, false)) {
            NetlinkMessage m = errorReply(s);
            assertThat(m.hasFlag(Netlink.NLM_F_CAPPED)).isFalse();
            assertThat(m.payloadLength()).isGreaterThanOrEqualTo(NetlinkError.MIN_SIZE + 64);
        }
    }

    @Test
    void closeWhileInUseDefersClosingTheDescriptorToTheLastUser() throws Exception {
        NetlinkSocket s = NetlinkSocket.open(Netlink.NETLINK_ROUTE);
        s.acquire(); // as send/receive do around their syscalls
        s.acquire();
        s.close();
        assertThat(s.descriptorClosed()).as("the fd stays open while in use").isFalse();
        assertThatThrownBy(() -> s.receive(10)).as("no new use after close").isInstanceOf(ClosedChannelException.class);
        s.release();
        assertThat(s.descriptorClosed()).isFalse();
        s.release();
        assertThat(s.descriptorClosed()).as("the last user closed it").isTrue();
        assertThatThrownBy(() -> s.send(new byte[16])).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void closeDuringABlockedReceiveEndsWithTheDescriptorClosed() throws Exception {
        NetlinkSocket s = NetlinkSocket.open(Netlink.NETLINK_ROUTE);
        CompletableFuture<byte[]> r = CompletableFuture.supplyAsync(() -> {
            try {
                return s.receive(1000); // nothing arrives
            } catch (ClosedChannelException closedFirst) {
                return null; // close won the race before the receive started: also correct
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!s.inUse() && !r.isDone() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        s.close();
        assertThat(r.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(s.descriptorClosed()).isTrue();
    }

    @Test
    void closeWithoutUsersClosesAtOnceAndOnlyOnce() throws Exception {
        NetlinkSocket s = NetlinkSocket.open(Netlink.NETLINK_ROUTE);
        s.close();
        assertThat(s.descriptorClosed()).isTrue();
        s.close();
        assertThat(s.toString()).contains("closed");
    }

    @Test
    void attributesPrintTypeAndLengthButNeverTheValue() throws Exception {
        Attribute a = new Attribute(5, new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef});
        assertThat(a.toString()).isEqualTo("Attribute[type=5, 4 bytes]").doesNotContain("dead");
        assertThat(a.hexDump()).contains("deadbeef");
        byte[] enc = new byte[] {8, 0, 5, 0, (byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef};
        AttributeReader r = AttributeReader.parse(enc, 0, enc.length, "key");
        assertThat(r.toString()).doesNotContain("dead").contains("4 bytes");
        assertThat(r.hexDump()).contains("deadbeef");
    }
}
