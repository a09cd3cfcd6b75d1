package io.mpsec.ipsec.xfrm.wire;

import io.mpsec.kernel.netlink.NetlinkFormatException;
import java.nio.ByteBuffer;

/**
 * {@code struct xfrm_user_tmpl} (64 bytes): one transform a policy requires; XFRMA_TMPL carries an
 * array of them.
 *
 * <pre>
 * struct xfrm_user_tmpl {
 *     struct xfrm_id  id;        //  0 (24)
 *     __u16           family;    // 24  (2 bytes padding)
 *     xfrm_address_t  saddr;     // 28
 *     __u32           reqid;     // 44
 *     __u8            mode;      // 48
 *     __u8            share;     // 49
 *     __u8            optional;  // 50  1 = "level use", 0 = "level required"
 *     __u32           aalgos;    // 52  (1 byte padding before)
 *     __u32           ealgos;    // 56
 *     __u32           calgos;    // 60
 * };
 * </pre>
 */
public record XfrmUserTmpl(XfrmId id, int family, XfrmAddress saddr, long reqid, int mode, int share, int optional,
        long aalgos, long ealgos, long calgos) {
    public static final int SIZEOF = 64;

    public void write(ByteBuffer buf, int off) {
        id.write(buf, off);
        buf.putShort(off + 24, (short) family);
        saddr.write(buf, off + 28);
        Structs.putU32(buf, off + 44, reqid);
        buf.put(off + 48, (byte) mode);
        buf.put(off + 49, (byte) share);
        buf.put(off + 50, (byte) optional);
        Structs.putU32(buf, off + 52, aalgos);
        Structs.putU32(buf, off + 56, ealgos);
        Structs.putU32(buf, off + 60, calgos);
    }

    public static XfrmUserTmpl read(ByteBuffer buf, int off) throws NetlinkFormatException {
        Structs.requireRemaining(buf, off, SIZEOF, "xfrm_user_tmpl");
        return new XfrmUserTmpl(XfrmId.read(buf, off), Structs.getU16(buf, off + 24), XfrmAddress.read(buf, off + 28),
                Structs.getU32(buf, off + 44), Structs.getU8(buf, off + 48), Structs.getU8(buf, off + 49),
                Structs.getU8(buf, off + 50), Structs.getU32(buf, off + 52), Structs.getU32(buf, off + 56),
                Structs.getU32(buf, off + 60));
    }

    /** Encodes an XFRMA_TMPL payload (the templates back to back). */
    public static byte[] encodeAll(java.util.List<XfrmUserTmpl> tmpls) {
        ByteBuffer b = Structs.allocate(SIZEOF * tmpls.size());
        for (int i = 0; i < tmpls.size(); i++) {
            tmpls.get(i).write(b, i * SIZEOF);
        }
        return b.array();
    }

    /** Decodes an XFRMA_TMPL payload. */
    public static java.util.List<XfrmUserTmpl> decodeAll(byte[] payload) throws NetlinkFormatException {
        if (payload.length % SIZEOF != 0) {
            throw new NetlinkFormatException("XFRMA_TMPL length " + payload.length + " is not a multiple of " + SIZEOF);
        }
        ByteBuffer b = Structs.wrap(payload);
        java.util.List<XfrmUserTmpl> out = new java.util.ArrayList<>();
        for (int off = 0; off < payload.length; off += SIZEOF) {
            out.add(read(b, off));
        }
        return out;
    }
}
