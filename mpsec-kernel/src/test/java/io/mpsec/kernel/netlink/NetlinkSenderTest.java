package io.mpsec.kernel.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.ffi.Bytes;
import io.mpsec.kernel.ffi.Errors;
import io.mpsec.kernel.ffi.Syscalls;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Only the kernel is listened to. NETLINK_USERSOCK lets any process unicast to another socket's port
 * id without privileges, so a real forged datagram can be sent here without root (the root-only
 * xfrm/rtnetlink case, with a forged error reply to a pending request, is NetlinkSenderIT).
 */
class NetlinkSenderTest {
    /** {@code NETLINK_USERSOCK} (include/uapi/linux/netlink.h): reserved for user-mode socket protocols. */
    static final int NETLINK_USERSOCK = 2;

    @Test
    void theSenderCheckAcceptsOnlyPortZero() {
        assertThat(NetlinkSocket.fromKernel(NetlinkSocket.sockaddr(0, 0), 12)).isTrue();
        assertThat(NetlinkSocket.fromKernel(NetlinkSocket.sockaddr(0, 1 << 4), 12)).as("a kernel multicast").isTrue();
        assertThat(NetlinkSocket.fromKernel(NetlinkSocket.sockaddr(4242, 0), 12)).isFalse();
        assertThat(NetlinkSocket.fromKernel(NetlinkSocket.sockaddr(-1, 0), 12)).isFalse();
        assertThat(NetlinkSocket.fromKernel(NetlinkSocket.sockaddr(0, 0), 4)).as("truncated address").isFalse();
        byte[] inet = NetlinkSocket.sockaddr(0, 0);
        Bytes.putShortLE(inet, 0, (short) Syscalls.AF_INET);
        assertThat(NetlinkSocket.fromKernel(inet, 12)).as("not a netlink address").isFalse();
    }

    @Test
    void aDatagramFromAnotherProcessIsDroppedAndCountedAndTheNextKernelOneStillArrives() throws Exception {
        try (NetlinkSocket victim = NetlinkSocket.open(NETLINK_USERSOCK)) {
            int forger = Syscalls.socket(Syscalls.AF_NETLINK, Syscalls.SOCK_RAW, NETLINK_USERSOCK);
            try {
                Syscalls.bind(forger, NetlinkSocket.sockaddr(0, 0), "AF_NETLINK");
                // a well-formed "ACK" for the sequence number a request would use
                byte[] forged = new NetlinkMessage(Netlink.NLMSG_ERROR, 0, 77, victim.portId(), new byte[20]).encode();
                byte[] to = NetlinkSocket.sockaddr(victim.portId(), 0);
                for (int i = 0; i < 3; i++) {
                    if (Syscalls.libc().sendto(forger, forged, forged.length, 0, to, to.length) < 0) {
                        throw Errors.newException("sendto(forged)", Syscalls.errno());
                    }
                }
                assertThat(victim.receive(300)).as("nothing from the kernel, the forged ones dropped").isNull();
                assertThat(victim.foreignDatagramsDropped()).isEqualTo(3);
            } finally {
                Syscalls.close(forger);
            }
        }
        // and on a protocol the kernel answers, its replies still pass (sender port 0)
        try (NetlinkConnection c = new NetlinkConnection(NetlinkSocket.open(Netlink.NETLINK_ROUTE))) {
            List<NetlinkMessage> links = c.dump("RTM_GETLINK", NetlinkMessage.request(18, 0, new byte[16])).messages();
            assertThat(links).isNotEmpty();
            assertThat(((NetlinkSocket) c.transport()).foreignDatagramsDropped()).isZero();
        }
    }
}
