package io.mpsec.ipsec.xfrm.wire;

import io.mpsec.kernel.netlink.NetlinkFormatException;
import java.nio.ByteBuffer;

/**
 * {@code struct xfrm_stats} (12 bytes): replay and integrity failure counters of an SA.
 *
 * <pre>
 * struct xfrm_stats {
 *     __u32 replay_window;     // 0
 *     __u32 replay;            // 4
 *     __u32 integrity_failed;  // 8
 * };
 * </pre>
 */
public record XfrmStats(long replayWindow, long replay, long integrityFailed) {
    public static final int SIZEOF = 12;
    public static final XfrmStats ZERO = new XfrmStats(0, 0, 0);

    public void write(ByteBuffer buf, int off) {
        Structs.putU32(buf, off, replayWindow);
        Structs.putU32(buf, off + 4, replay);
        Structs.putU32(buf, off + 8, integrityFailed);
    }

    public static XfrmStats read(ByteBuffer buf, int off) throws NetlinkFormatException {
        Structs.requireRemaining(buf, off, SIZEOF, "xfrm_stats");
        return new XfrmStats(Structs.getU32(buf, off), Structs.getU32(buf, off + 4), Structs.getU32(buf, off + 8));
    }
}
