package io.mpsec.ipsec.xfrm.wire;

import io.mpsec.kernel.netlink.NetlinkFormatException;
import java.nio.ByteBuffer;

/**
 * {@code struct xfrm_userpolicy_info} (168 bytes on x86_64 and aarch64): the fixed part of
 * NEWPOLICY, UPDPOLICY and of every policy the kernel reports.
 *
 * <pre>
 * struct xfrm_userpolicy_info {
 *     struct xfrm_selector      sel;       //   0 (56)
 *     struct xfrm_lifetime_cfg  lft;       //  56 (64)
 *     struct xfrm_lifetime_cur  curlft;    // 120 (32)
 *     __u32   priority;                    // 152
 *     __u32   index;                       // 156
 *     __u8    dir;                         // 160  XFRM_POLICY_IN/OUT/FWD
 *     __u8    action;                      // 161  XFRM_POLICY_ALLOW/BLOCK
 *     __u8    flags;                       // 162  XFRM_POLICY_LOCALOK, XFRM_POLICY_ICMP
 *     __u8    share;                       // 163  (4 bytes padding)
 * };
 * </pre>
 */
public record XfrmUserpolicyInfo(XfrmSelector sel, XfrmLifetimeCfg lft, XfrmLifetimeCur curlft, long priority,
        long index, int dir, int action, int flags, int share) {
    public static final int SIZEOF = 168;

    public void write(ByteBuffer buf, int off) {
        sel.write(buf, off);
        lft.write(buf, off + 56);
        curlft.write(buf, off + 120);
        Structs.putU32(buf, off + 152, priority);
        Structs.putU32(buf, off + 156, index);
        buf.put(off + 160, (byte) dir);
        buf.put(off + 161, (byte) action);
        buf.put(off + 162, (byte) flags);
        buf.put(off + 163, (byte) share);
    }

    public byte[] toBytes() {
        ByteBuffer b = Structs.allocate(SIZEOF);
        write(b, 0);
        return b.array();
    }

    public static XfrmUserpolicyInfo read(ByteBuffer buf, int off) throws NetlinkFormatException {
        Structs.requireRemaining(buf, off, SIZEOF, "xfrm_userpolicy_info");
        return new XfrmUserpolicyInfo(XfrmSelector.read(buf, off), XfrmLifetimeCfg.read(buf, off + 56),
                XfrmLifetimeCur.read(buf, off + 120), Structs.getU32(buf, off + 152), Structs.getU32(buf, off + 156),
                Structs.getU8(buf, off + 160), Structs.getU8(buf, off + 161), Structs.getU8(buf, off + 162),
                Structs.getU8(buf, off + 163));
    }
}
