package io.mpsec.ipsec.xfrm.wire;

import io.mpsec.kernel.netlink.NetlinkFormatException;
import java.nio.ByteBuffer;

/**
 * {@code struct xfrm_lifetime_cfg} (64 bytes): soft and hard limits; {@link Xfrm#XFRM_INF} (all
 * ones) means none for byte and packet limits, 0 means none for the time limits.
 *
 * <pre>
 * struct xfrm_lifetime_cfg {
 *     __u64 soft_byte_limit;           //  0
 *     __u64 hard_byte_limit;           //  8
 *     __u64 soft_packet_limit;         // 16
 *     __u64 hard_packet_limit;         // 24
 *     __u64 soft_add_expires_seconds;  // 32
 *     __u64 hard_add_expires_seconds;  // 40
 *     __u64 soft_use_expires_seconds;  // 48
 *     __u64 hard_use_expires_seconds;  // 56
 * };
 * </pre>
 */
public record XfrmLifetimeCfg(long softByteLimit, long hardByteLimit, long softPacketLimit, long hardPacketLimit,
        long softAddExpiresSeconds, long hardAddExpiresSeconds, long softUseExpiresSeconds, long hardUseExpiresSeconds) {
    public static final int SIZEOF = 64;

    /** No limits, as iproute2 sends by default: byte and packet limits XFRM_INF, times 0. */
    public static final XfrmLifetimeCfg UNLIMITED = new XfrmLifetimeCfg(Xfrm.XFRM_INF, Xfrm.XFRM_INF, Xfrm.XFRM_INF,
            Xfrm.XFRM_INF, 0, 0, 0, 0);
    /** All zero (ALLOCSPI requests carry this). */
    public static final XfrmLifetimeCfg ZERO = new XfrmLifetimeCfg(0, 0, 0, 0, 0, 0, 0, 0);

    public void write(ByteBuffer buf, int off) {
        buf.putLong(off, softByteLimit);
        buf.putLong(off + 8, hardByteLimit);
        buf.putLong(off + 16, softPacketLimit);
        buf.putLong(off + 24, hardPacketLimit);
        buf.putLong(off + 32, softAddExpiresSeconds);
        buf.putLong(off + 40, hardAddExpiresSeconds);
        buf.putLong(off + 48, softUseExpiresSeconds);
        buf.putLong(off + 56, hardUseExpiresSeconds);
    }

    public static XfrmLifetimeCfg read(ByteBuffer buf, int off) throws NetlinkFormatException {
        Structs.requireRemaining(buf, off, SIZEOF, "xfrm_lifetime_cfg");
        return new XfrmLifetimeCfg(buf.getLong(off), buf.getLong(off + 8), buf.getLong(off + 16), buf.getLong(off + 24),
                buf.getLong(off + 32), buf.getLong(off + 40), buf.getLong(off + 48), buf.getLong(off + 56));
    }
}
