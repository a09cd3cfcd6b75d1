package io.mpsec.ipsec.xfrm.msg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.ipsec.xfrm.wire.XfrmAddress;
import io.mpsec.ipsec.xfrm.wire.XfrmAlgoAead;
import io.mpsec.ipsec.xfrm.wire.XfrmUserTmpl;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Inputs the xfrm decoder fuzzing found, pinned. */
class FoundByFuzzingTest {
    @Test
    void aKeyLengthWithTheTopBitSetIsAFormatErrorNotANegativeArray() {
        // alg_key_len 0x7ffffff9 bits: (bits + 7) / 8 overflowed to a negative array size
        byte[] aead = new byte[XfrmAlgoAead.SIZEOF];
        ByteBuffer.wrap(aead).order(ByteOrder.nativeOrder()).putInt(64, 0x7ffffff9);
        assertThatThrownBy(() -> XfrmAlgoAead.decode(aead)).isInstanceOf(NetlinkFormatException.class)
                .hasMessageContaining("key of 2147483641 bits");
    }

    @Test
    void aV4MappedIpv6AddressStaysIpv6() throws Exception {
        // was a ClassCastException: InetAddress.getByAddress turns ::ffff:a.b.c.d into an Inet4Address
        byte[] b = new byte[XfrmAddress.SIZEOF];
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
        b[12] = (byte) 198;
        b[13] = 18;
        XfrmAddress a = XfrmAddress.read(ByteBuffer.wrap(b), 0);
        assertThat(a.toInet(Xfrm.AF_INET6)).isInstanceOf(Inet6Address.class);
    }

    @Test
    void wireStructsThatDoNotFitAreFormatErrors() {
        assertThatThrownBy(() -> XfrmUserTmpl.decodeAll(new byte[63])).isInstanceOf(NetlinkFormatException.class);
        assertThatThrownBy(() -> XfrmAddress.read(ByteBuffer.wrap(new byte[15]), 0)).isInstanceOf(NetlinkFormatException.class);
    }
}
