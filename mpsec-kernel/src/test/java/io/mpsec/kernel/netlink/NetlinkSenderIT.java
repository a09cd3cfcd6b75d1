package io.mpsec.kernel.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.ffi.Bytes;
import io.mpsec.testbed.Privileged;
import io.mpsec.testbed.Testbed;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A forged reply from another process, on the xfrm protocol, as root in a fresh namespace: python3
 * sends an NLMSG_ERROR (EPERM) carrying exactly the sequence number of our next request to our port id.
 * The kernel's /proc/net/netlink shows the datagram queued on our socket (independent proof that it
 * arrived); the request still gets the kernel's real answer and the forgery is counted as dropped.
 */
class NetlinkSenderIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(1, 0).build();

    static final String FORGER = "import socket, sys\n"
            + "s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 6)\n"
            + "s.bind((0, 0))\n"
            + "for h in sys.argv[2:]:\n"
            + "    s.sendto(bytes.fromhex(h), (int(sys.argv[1]), 0))\n"
            + "print(s.getsockname()[0])\n";

    /** The Rmem column of our socket in /proc/net/netlink (protocol 6, port id {@code port}). */
    static long queuedBytes(Testbed.Host h, int port) {
        for (String line : h.execOk("cat", "/proc/net/netlink").stdout().split("\n")) {
            String[] t = line.trim().split("\\s+");
            if (t.length > 4 && t[1].equals("6") && t[2].equals(Integer.toUnsignedString(port))) {
                return Long.parseLong(t[4]);
            }
        }
        throw new AssertionError("port " + Integer.toUnsignedString(port) + " not in /proc/net/netlink");
    }

    @Test
    void aForgedXfrmReplyAndNotificationAreDroppedAndTheKernelsAnswerIsTaken() throws Exception {
        Privileged.requireTool("python3", "python3");
        Testbed.Host c = NET.host("c");
        NetlinkSocket sock = c.call(() -> NetlinkSocket.open(Netlink.NETLINK_XFRM));
        try (NetlinkConnection conn = new NetlinkConnection(sock)) {
            int seq = conn.peekSeq();
            byte[] err = new byte[20];
            Bytes.putIntLE(err, 0, -1); // -EPERM
            byte[] forgedReply = new NetlinkMessage(Netlink.NLMSG_ERROR, 0, seq, sock.portId(), err).encode();
            byte[] forgedEvent = new NetlinkMessage(0x18, 0, 0, 0, new byte[64]).encode(); // an "EXPIRE", seq 0
            String forger = c.execOk("python3", "-c", FORGER, Integer.toUnsignedString(sock.portId()),
                    HexFormat.of().formatHex(forgedReply), HexFormat.of().formatHex(forgedEvent)).stdout().trim();
            assertThat(Long.parseLong(forger)).as("the forger's port id").isNotZero();
            assertThat(queuedBytes(c, sock.portId())).as("the forged datagrams are queued on our socket").isPositive();
            // XFRM_MSG_GETPOLICY dump: accepted from the kernel although an EPERM for this seq came first
            assertThat(conn.peekSeq()).isEqualTo(seq);
            assertThat(conn.dump("xfrm GETPOLICY dump", NetlinkMessage.request(0x15, 0, new byte[0])).messages()).isEmpty();
            assertThat(sock.foreignDatagramsDropped()).isEqualTo(2);
            assertThat(conn.nextNotification(200)).as("the forged notification was not queued").isNull();
            assertThat(queuedBytes(c, sock.portId())).isZero();
        }
    }
}
