package io.mpsec.ipsec.xfrm.wire;

import io.mpsec.kernel.netlink.NetlinkFormatException;
import java.nio.ByteBuffer;

/**
 * {@code struct xfrm_selector} (56 bytes on every Linux ABI): which packets a policy or SA applies to.
 * Ports are in network byte order on the wire; here they are plain port numbers.
 *
 * <pre>
 * struct xfrm_selector {
 *     xfrm_address_t  daddr;        //  0
 *     xfrm_address_t  saddr;        // 16
 *     __be16  dport;                // 32
 *     __be16  dport_mask;           // 34
 *     __be16  sport;                // 36
 *     __be16  sport_mask;           // 38
 *     __u16   family;               // 40
 *     __u8    prefixlen_d;          // 42
 *     __u8    prefixlen_s;          // 43
 *     __u8    proto;                // 44  (3 bytes padding)
 *     int     ifindex;              // 48
 *     __kernel_uid32_t user;        // 52
 * };
 * </pre>
 */
public record XfrmSelector(XfrmAddress daddr, XfrmAddress saddr, int dport, int dportMask, int sport, int sportMask,
        int family, int prefixlenD, int prefixlenS, int proto, int ifindex, long user) {
    public static final int SIZEOF = 56;
    static final int DADDR = 0;
    static final int SADDR = 16;
    static final int DPORT = 32;
    static final int DPORT_MASK = 34;
    static final int SPORT = 36;
    static final int SPORT_MASK = 38;
    static final int FAMILY = 40;
    static final int PREFIXLEN_D = 42;
    static final int PREFIXLEN_S = 43;
    static final int PROTO = 44;
    static final int IFINDEX = 48;
    static final int USER = 52;

    /** The all-zero selector (family 0), as iproute2 sends in an SA without {@code sel}. */
    public static final XfrmSelector EMPTY = new XfrmSelector(XfrmAddress.ANY, XfrmAddress.ANY, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public void write(ByteBuffer buf, int off) {
        daddr.write(buf, off + DADDR);
        saddr.write(buf, off + SADDR);
        Structs.putBe16(buf, off + DPORT, dport);
        Structs.putBe16(buf, off + DPORT_MASK, dportMask);
        Structs.putBe16(buf, off + SPORT, sport);
        Structs.putBe16(buf, off + SPORT_MASK, sportMask);
        buf.putShort(off + FAMILY, (short) family);
        buf.put(off + PREFIXLEN_D, (byte) prefixlenD);
        buf.put(off + PREFIXLEN_S, (byte) prefixlenS);
        buf.put(off + PROTO, (byte) proto);
        buf.putInt(off + IFINDEX, ifindex);
        Structs.putU32(buf, off + USER, user);
    }

    public static XfrmSelector read(ByteBuffer buf, int off) throws NetlinkFormatException {
        Structs.requireRemaining(buf, off, SIZEOF, "xfrm_selector");
        return new XfrmSelector(XfrmAddress.read(buf, off + DADDR), XfrmAddress.read(buf, off + SADDR),
                Structs.getBe16(buf, off + DPORT), Structs.getBe16(buf, off + DPORT_MASK),
                Structs.getBe16(buf, off + SPORT), Structs.getBe16(buf, off + SPORT_MASK),
                Structs.getU16(buf, off + FAMILY), Structs.getU8(buf, off + PREFIXLEN_D),
                Structs.getU8(buf, off + PREFIXLEN_S), Structs.getU8(buf, off + PROTO),
                buf.getInt(off + IFINDEX), Structs.getU32(buf, off + USER));
    }
}
