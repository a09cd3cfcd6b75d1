package io.mpsec.ipsec.xfrm.wire;

import io.mpsec.kernel.netlink.NetlinkFormatException;
import java.nio.ByteBuffer;

/**
 * {@code struct xfrm_lifetime_cur} (32 bytes): what an SA or policy has used so far.
 *
 * <pre>
 * struct xfrm_lifetime_cur {
 *     __u64 bytes;     //  0
 *     __u64 packets;   //  8
 *     __u64 add_time;  // 16
 *     __u64 use_time;  // 24
 * };
 * </pre>
 */
public record XfrmLifetimeCur(long bytes, long packets, long addTime, long useTime) {
    public static final int SIZEOF = 32;
    public static final XfrmLifetimeCur ZERO = new XfrmLifetimeCur(0, 0, 0, 0);

    public void write(ByteBuffer buf, int off) {
        buf.putLong(off, bytes);
        buf.putLong(off + 8, packets);
        buf.putLong(off + 16, addTime);
        buf.putLong(off + 24, useTime);
    }

    public static XfrmLifetimeCur read(ByteBuffer buf, int off) throws NetlinkFormatException {
        Structs.requireRemaining(buf, off, SIZEOF, "xfrm_lifetime_cur");
        return new XfrmLifetimeCur(buf.getLong(off), buf.getLong(off + 8), buf.getLong(off + 16), buf.getLong(off + 24));
    }
}
