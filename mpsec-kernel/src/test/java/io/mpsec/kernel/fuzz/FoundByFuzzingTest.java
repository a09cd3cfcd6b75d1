package io.mpsec.kernel.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.kernel.ffi.Bytes;
import io.mpsec.kernel.genl.GenlMessage;
import io.mpsec.kernel.netlink.AttributeReader;
import io.mpsec.kernel.netlink.Netlink;
import io.mpsec.kernel.netlink.NetlinkError;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.pm.GetLimits;
import io.mpsec.kernel.pm.MptcpPmUapi;
import org.junit.jupiter.api.Test;

/** Inputs the decoder fuzzing found, pinned: each once escaped as an exception other than NetlinkFormatException. */
class FoundByFuzzingTest {
    @Test
    void aLimitAboveIntegerMaxIsAFormatError() {
        // was IllegalArgumentException from the Limits record: the u32 became a negative int
        byte[] p = GenlMessage.writer(MptcpPmUapi.CMD_GET_LIMITS, 1).u32(MptcpPmUapi.ATTR_SUBFLOWS, 0x80000004).toByteArray();
        assertThatThrownBy(() -> GetLimits.decodeReply(new NetlinkMessage(28, 0, 0, 0, p)))
                .isInstanceOf(NetlinkFormatException.class).hasMessageContaining("subflows 2147483652");
    }

    @Test
    void anErrorFieldThatIsNoErrnoIsAFormatError() {
        byte[] p = new byte[NetlinkError.MIN_SIZE];
        Bytes.putIntLE(p, 0, 5);
        assertThatThrownBy(() -> NetlinkError.decode(new NetlinkMessage(Netlink.NLMSG_ERROR, 0, 0, 0, p)))
                .isInstanceOf(NetlinkFormatException.class).hasMessageContaining("error 5");
        Bytes.putIntLE(p, 0, Integer.MIN_VALUE);
        assertThatThrownBy(() -> NetlinkError.decode(new NetlinkMessage(Netlink.NLMSG_ERROR, 0, 0, 0, p)))
                .isInstanceOf(NetlinkFormatException.class);
    }

    @Test
    void anEchoedRequestLengthNearIntMaxDoesNotOverflow() throws Exception {
        // NLM_F_ACK_TLVS without CAPPED: the TLVs start after the echoed request, whose length is a lie
        byte[] p = new byte[NetlinkError.MIN_SIZE];
        Bytes.putIntLE(p, 0, -2);
        Bytes.putIntLE(p, 4, 0x7ffffffe);
        NetlinkError e = NetlinkError.decode(new NetlinkMessage(Netlink.NLMSG_ERROR, Netlink.NLM_F_ACK_TLVS, 0, 0, p));
        assertThat(e.errno()).isEqualTo(2);
        assertThat(e.extAck()).isNull();
    }

    @Test
    void anAttributeRangeThatOverflowsIsAFormatError() {
        assertThatThrownBy(() -> AttributeReader.parse(new byte[8], 4, Integer.MAX_VALUE, "x"))
                .isInstanceOf(NetlinkFormatException.class).hasMessageContaining("outside a buffer of 8 bytes");
    }
}
