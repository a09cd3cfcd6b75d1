package io.mpsec.ipsec.xfrm.wire;

import io.mpsec.kernel.netlink.NetlinkFormatException;
import java.nio.ByteBuffer;

/**
 * {@code struct xfrm_user_expire} (232 bytes): the body of an XFRM_MSG_EXPIRE notification.
 *
 * <pre>
 * struct xfrm_user_expire {
 *     struct xfrm_usersa_info state;  //   0 (224)
 *     __u8                    hard;   // 224  (7 bytes padding)
 * };
 * </pre>
 */
public record XfrmUserExpire(XfrmUsersaInfo state, boolean hard) {
    public static final int SIZEOF = 232;

    public byte[] toBytes() {
        ByteBuffer b = Structs.allocate(SIZEOF);
        state.write(b, 0);
        b.put(224, (byte) (hard ? 1 : 0));
        return b.array();
    }

    public static XfrmUserExpire read(ByteBuffer buf, int off) throws NetlinkFormatException {
        Structs.requireRemaining(buf, off, SIZEOF, "xfrm_user_expire");
        return new XfrmUserExpire(XfrmUsersaInfo.read(buf, off), buf.get(off + 224) != 0);
    }
}
