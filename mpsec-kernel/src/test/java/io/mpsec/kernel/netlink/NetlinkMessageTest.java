package io.mpsec.kernel.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NetlinkMessageTest {
    @Test
    void headerLayout() {
        byte[] b = new NetlinkMessage(0x1c, 0x0105, 7, 0x01020304, new byte[] {1, 2, 3, 4}).encode();
        assertThat(b).containsExactly(20, 0, 0, 0, 0x1c, 0, 5, 1, 7, 0, 0, 0, 4, 3, 2, 1, 1, 2, 3, 4);
    }

    @Test
    void unalignedPayloadIsPaddedButLengthIsExact() throws Exception {
        NetlinkMessage m = new NetlinkMessage(20, 1, 1, 0, new byte[] {1, 2, 3, 4, 5});
        byte[] b = m.encode();
        assertThat(b).hasSize(24);
        assertThat(b[0]).isEqualTo((byte) 21);
        assertThat(NetlinkMessage.decodeAll(b)).containsExactly(m);
    }

    @Test
    void severalMessagesInOneDatagramRoundTrip() throws Exception {
        Random r = new Random(3);
        for (int i = 0; i < 200; i++) {
            List<NetlinkMessage> ms = new java.util.ArrayList<>();
            for (int j = 0; j < 1 + r.nextInt(4); j++) {
                byte[] p = new byte[4 * r.nextInt(20)];
                r.nextBytes(p);
                ms.add(new NetlinkMessage(16 + r.nextInt(100), r.nextInt(0x1000), r.nextInt(), r.nextInt(), p));
            }
            assertThat(NetlinkMessage.decodeAll(NetlinkMessage.encodeAll(ms))).isEqualTo(ms);
        }
    }

    @Test
    void badLengthIsRejected() {
        byte[] b = new NetlinkMessage(20, 1, 1, 0, new byte[8]).encode();
        b[0] = 100;
        assertThatThrownBy(() -> NetlinkMessage.decodeAll(b)).isInstanceOf(NetlinkFormatException.class)
                .hasMessageContaining("nlmsg_len 100");
    }

    @Test
    void errorWithExtAckDecodes() throws Exception {
        NetlinkMessage req = new NetlinkMessage(28, 5, 42, 7, new byte[8]);
        NetlinkMessage err = NetlinkError.encode(req, 17, "address already exists");
        NetlinkError e = NetlinkError.decode(err);
        assertThat(e.errno()).isEqualTo(17);
        assertThat(e.requestSeq()).isEqualTo(42);
        assertThat(e.extAck()).isEqualTo("address already exists");
    }

    @Test
    void uncappedErrorFromKernelDecodes() throws Exception {
        // Kernel without NETLINK_CAP_ACK: the whole request is echoed before the TLVs.
        NetlinkMessage req = new NetlinkMessage(28, 5, 9, 7, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        byte[] reqBytes = req.encode();
        AttributeWriter w = new AttributeWriter().raw(io.mpsec.kernel.ffi.Bytes.intLE(-22)).raw(reqBytes)
                .string(Netlink.NLMSGERR_ATTR_MSG, "bad thing").u32(Netlink.NLMSGERR_ATTR_OFFS, 20);
        NetlinkMessage err = new NetlinkMessage(Netlink.NLMSG_ERROR, Netlink.NLM_F_ACK_TLVS, 9, 7, w.toByteArray());
        NetlinkError e = NetlinkError.decode(err);
        assertThat(e.errno()).isEqualTo(22);
        assertThat(e.extAck()).isEqualTo("bad thing");
        assertThat(e.extAckOffset()).isEqualTo(20);
    }
}
