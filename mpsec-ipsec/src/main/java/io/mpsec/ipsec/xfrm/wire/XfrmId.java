package io.mpsec.ipsec.xfrm.wire;

import io.mpsec.kernel.netlink.NetlinkFormatException;
import java.nio.ByteBuffer;

/**
 * {@code struct xfrm_id} (24 bytes): identifies an SA by destination, SPI and protocol. The SPI is
 * big-endian on the wire; here it is an unsigned 32-bit value held in a {@code long}.
 *
 * <pre>
 * struct xfrm_id {
 *     xfrm_address_t  daddr;   //  0
 *     __be32          spi;     // 16
 *     __u8            proto;   // 20  (3 bytes padding)
 * };
 * </pre>
 */
public record XfrmId(XfrmAddress daddr, long spi, int proto) {
    public static final int SIZEOF = 24;
    static final int DADDR = 0;
    static final int SPI = 16;
    static final int PROTO = 20;

    public void write(ByteBuffer buf, int off) {
        daddr.write(buf, off + DADDR);
        Structs.putBe32(buf, off + SPI, spi);
        buf.put(off + PROTO, (byte) proto);
    }

    public static XfrmId read(ByteBuffer buf, int off) throws NetlinkFormatException {
        Structs.requireRemaining(buf, off, SIZEOF, "xfrm_id");
        return new XfrmId(XfrmAddress.read(buf, off + DADDR), Structs.getBe32(buf, off + SPI), Structs.getU8(buf, off + PROTO));
    }
}
