package io.mpsec.ipsec.xfrm.wire;

import io.mpsec.kernel.netlink.NetlinkFormatException;
import java.nio.ByteBuffer;

/**
 * {@code struct xfrm_userspi_info} (232 bytes): the ALLOCSPI request. {@code min}/{@code max} are host order.
 *
 * <pre>
 * struct xfrm_userspi_info {
 *     struct xfrm_usersa_info info;  //   0 (224)
 *     __u32                   min;   // 224
 *     __u32                   max;   // 228
 * };
 * </pre>
 */
public record XfrmUserspiInfo(XfrmUsersaInfo info, long min, long max) {
    public static final int SIZEOF = 232;

    public byte[] toBytes() {
        ByteBuffer b = Structs.allocate(SIZEOF);
        info.write(b, 0);
        Structs.putU32(b, 224, min);
        Structs.putU32(b, 228, max);
        return b.array();
    }

    public static XfrmUserspiInfo read(ByteBuffer buf, int off) throws NetlinkFormatException {
        Structs.requireRemaining(buf, off, SIZEOF, "xfrm_userspi_info");
        return new XfrmUserspiInfo(XfrmUsersaInfo.read(buf, off), Structs.getU32(buf, off + 224), Structs.getU32(buf, off + 228));
    }
}
