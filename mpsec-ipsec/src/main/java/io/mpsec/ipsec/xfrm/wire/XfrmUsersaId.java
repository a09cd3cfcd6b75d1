package io.mpsec.ipsec.xfrm.wire;

import io.mpsec.kernel.netlink.NetlinkFormatException;
import java.nio.ByteBuffer;

/**
 * {@code struct xfrm_usersa_id} (24 bytes): the key of DELSA, GETSA and GETAE.
 *
 * <pre>
 * struct xfrm_usersa_id {
 *     xfrm_address_t  daddr;   //  0
 *     __be32          spi;     // 16
 *     __u16           family;  // 20
 *     __u8            proto;   // 22  (1 byte padding)
 * };
 * </pre>
 */
public record XfrmUsersaId(XfrmAddress daddr, long spi, int family, int proto) {
    public static final int SIZEOF = 24;

    public void write(ByteBuffer buf, int off) {
        daddr.write(buf, off);
        Structs.putBe32(buf, off + 16, spi);
        buf.putShort(off + 20, (short) family);
        buf.put(off + 22, (byte) proto);
    }

    public byte[] toBytes() {
        ByteBuffer b = Structs.allocate(SIZEOF);
        write(b, 0);
        return b.array();
    }

    public static XfrmUsersaId read(ByteBuffer buf, int off) throws NetlinkFormatException {
        Structs.requireRemaining(buf, off, SIZEOF, "xfrm_usersa_id");
        return new XfrmUsersaId(XfrmAddress.read(buf, off), Structs.getBe32(buf, off + 16), Structs.getU16(buf, off + 20),
                Structs.getU8(buf, off + 22));
    }
}
