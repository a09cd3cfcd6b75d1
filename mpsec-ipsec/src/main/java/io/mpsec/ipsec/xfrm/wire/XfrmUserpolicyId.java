package io.mpsec.ipsec.xfrm.wire;

import io.mpsec.kernel.netlink.NetlinkFormatException;
import java.nio.ByteBuffer;

/**
 * {@code struct xfrm_userpolicy_id} (64 bytes): the key of DELPOLICY and GETPOLICY (by selector
 * and direction, or by index when {@code index} is not 0).
 *
 * <pre>
 * struct xfrm_userpolicy_id {
 *     struct xfrm_selector sel;    //  0 (56)
 *     __u32                index;  // 56
 *     __u8                 dir;    // 60  (3 bytes padding)
 * };
 * </pre>
 */
public record XfrmUserpolicyId(XfrmSelector sel, long index, int dir) {
    public static final int SIZEOF = 64;

    public byte[] toBytes() {
        ByteBuffer b = Structs.allocate(SIZEOF);
        sel.write(b, 0);
        Structs.putU32(b, 56, index);
        b.put(60, (byte) dir);
        return b.array();
    }

    public static XfrmUserpolicyId read(ByteBuffer buf, int off) throws NetlinkFormatException {
        Structs.requireRemaining(buf, off, SIZEOF, "xfrm_userpolicy_id");
        return new XfrmUserpolicyId(XfrmSelector.read(buf, off), Structs.getU32(buf, off + 56), Structs.getU8(buf, off + 60));
    }
}
