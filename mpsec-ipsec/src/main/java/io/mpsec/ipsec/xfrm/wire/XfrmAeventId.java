package io.mpsec.ipsec.xfrm.wire;

import io.mpsec.kernel.netlink.NetlinkFormatException;
import java.nio.ByteBuffer;

/**
 * {@code struct xfrm_aevent_id} (48 bytes): the body of GETAE/NEWAE (SA replay and lifetime counters).
 *
 * <pre>
 * struct xfrm_aevent_id {
 *     struct xfrm_usersa_id  sa_id;  //  0 (24)
 *     xfrm_address_t         saddr;  // 24
 *     __u32                  flags;  // 40  XFRM_AE_xxx
 *     __u32                  reqid;  // 44
 * };
 * </pre>
 */
public record XfrmAeventId(XfrmUsersaId saId, XfrmAddress saddr, long flags, long reqid) {
    public static final int SIZEOF = 48;

    public byte[] toBytes() {
        ByteBuffer b = Structs.allocate(SIZEOF);
        saId.write(b, 0);
        saddr.write(b, 24);
        Structs.putU32(b, 40, flags);
        Structs.putU32(b, 44, reqid);
        return b.array();
    }

    public static XfrmAeventId read(ByteBuffer buf, int off) throws NetlinkFormatException {
        Structs.requireRemaining(buf, off, SIZEOF, "xfrm_aevent_id");
        return new XfrmAeventId(XfrmUsersaId.read(buf, off), XfrmAddress.read(buf, off + 24), Structs.getU32(buf, off + 40),
                Structs.getU32(buf, off + 44));
    }
}
