package io.mpsec.ipsec.xfrm.wire;

import io.mpsec.kernel.netlink.NetlinkFormatException;
import java.nio.ByteBuffer;

/**
 * {@code struct xfrm_user_acquire} (280 bytes): the body of XFRM_MSG_ACQUIRE, sent when a policy
 * needs an SA that does not exist.
 *
 * <pre>
 * struct xfrm_user_acquire {
 *     struct xfrm_id               id;      //   0 (24)
 *     xfrm_address_t               saddr;   //  24 (16)
 *     struct xfrm_selector         sel;     //  40 (56)
 *     struct xfrm_userpolicy_info  policy;  //  96 (168)
 *     __u32                        aalgos;  // 264
 *     __u32                        ealgos;  // 268
 *     __u32                        calgos;  // 272
 *     __u32                        seq;     // 276
 * };
 * </pre>
 */
public record XfrmUserAcquire(XfrmId id, XfrmAddress saddr, XfrmSelector sel, XfrmUserpolicyInfo policy,
        long aalgos, long ealgos, long calgos, long seq) {
    public static final int SIZEOF = 280;

    public byte[] toBytes() {
        ByteBuffer b = Structs.allocate(SIZEOF);
        id.write(b, 0);
        saddr.write(b, 24);
        sel.write(b, 40);
        policy.write(b, 96);
        Structs.putU32(b, 264, aalgos);
        Structs.putU32(b, 268, ealgos);
        Structs.putU32(b, 272, calgos);
        Structs.putU32(b, 276, seq);
        return b.array();
    }

    public static XfrmUserAcquire read(ByteBuffer buf, int off) throws NetlinkFormatException {
        Structs.requireRemaining(buf, off, SIZEOF, "xfrm_user_acquire");
        return new XfrmUserAcquire(XfrmId.read(buf, off), XfrmAddress.read(buf, off + 24), XfrmSelector.read(buf, off + 40),
                XfrmUserpolicyInfo.read(buf, off + 96), Structs.getU32(buf, off + 264), Structs.getU32(buf, off + 268),
                Structs.getU32(buf, off + 272), Structs.getU32(buf, off + 276));
    }
}
