package io.mpsec.ipsec.xfrm.wire;

import io.mpsec.kernel.netlink.NetlinkFormatException;
import java.nio.ByteBuffer;

/**
 * {@code struct xfrm_usersa_info} (224 bytes on x86_64 and aarch64): the fixed part of NEWSA, UPDSA
 * and of every SA the kernel reports.
 *
 * <pre>
 * struct xfrm_usersa_info {
 *     struct xfrm_selector      sel;     //   0 (56)
 *     struct xfrm_id            id;      //  56 (24)
 *     xfrm_address_t            saddr;   //  80 (16)
 *     struct xfrm_lifetime_cfg  lft;     //  96 (64)
 *     struct xfrm_lifetime_cur  curlft;  // 160 (32)
 *     struct xfrm_stats         stats;   // 192 (12)
 *     __u32   seq;                       // 204
 *     __u32   reqid;                     // 208
 *     __u16   family;                    // 212
 *     __u8    mode;                      // 214  XFRM_MODE_xxx
 *     __u8    replay_window;             // 215
 *     __u8    flags;                     // 216  XFRM_STATE_xxx (7 bytes padding to 8-byte alignment)
 * };
 * </pre>
 */
public record XfrmUsersaInfo(XfrmSelector sel, XfrmId id, XfrmAddress saddr, XfrmLifetimeCfg lft,
        XfrmLifetimeCur curlft, XfrmStats stats, long seq, long reqid, int family, int mode, int replayWindow,
        int flags) {
    public static final int SIZEOF = 224;
    static final int SEL = 0;
    static final int ID = 56;
    static final int SADDR = 80;
    static final int LFT = 96;
    static final int CURLFT = 160;
    static final int STATS = 192;
    static final int SEQ = 204;
    static final int REQID = 208;
    static final int FAMILY = 212;
    static final int MODE = 214;
    static final int REPLAY_WINDOW = 215;
    static final int FLAGS = 216;

    public void write(ByteBuffer buf, int off) {
        sel.write(buf, off + SEL);
        id.write(buf, off + ID);
        saddr.write(buf, off + SADDR);
        lft.write(buf, off + LFT);
        curlft.write(buf, off + CURLFT);
        stats.write(buf, off + STATS);
        Structs.putU32(buf, off + SEQ, seq);
        Structs.putU32(buf, off + REQID, reqid);
        buf.putShort(off + FAMILY, (short) family);
        buf.put(off + MODE, (byte) mode);
        buf.put(off + REPLAY_WINDOW, (byte) replayWindow);
        buf.put(off + FLAGS, (byte) flags);
    }

    public byte[] toBytes() {
        ByteBuffer b = Structs.allocate(SIZEOF);
        write(b, 0);
        return b.array();
    }

    public static XfrmUsersaInfo read(ByteBuffer buf, int off) throws NetlinkFormatException {
        Structs.requireRemaining(buf, off, SIZEOF, "xfrm_usersa_info");
        return new XfrmUsersaInfo(XfrmSelector.read(buf, off + SEL), XfrmId.read(buf, off + ID),
                XfrmAddress.read(buf, off + SADDR), XfrmLifetimeCfg.read(buf, off + LFT),
                XfrmLifetimeCur.read(buf, off + CURLFT), XfrmStats.read(buf, off + STATS),
                Structs.getU32(buf, off + SEQ), Structs.getU32(buf, off + REQID), Structs.getU16(buf, off + FAMILY),
                Structs.getU8(buf, off + MODE), Structs.getU8(buf, off + REPLAY_WINDOW), Structs.getU8(buf, off + FLAGS));
    }
}
