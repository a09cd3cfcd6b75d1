package io.mpsec.kernel.rtnl;

import io.mpsec.kernel.ffi.Bytes;
import io.mpsec.kernel.netlink.NetlinkFormatException;

/**
 * <pre>
 * struct ifinfomsg {
 *     unsigned char  ifi_family;
 *     unsigned char  __ifi_pad;
 *     unsigned short ifi_type;    // ARPHRD_*
 *     int            ifi_index;
 *     unsigned       ifi_flags;   // IFF_*
 *     unsigned       ifi_change;
 * };                              // 16 bytes (include/uapi/linux/rtnetlink.h)
 * </pre>
 */
public record IfInfoMsg(int family, int type, int index, int flags, int change) {
    public static final int SIZEOF = 16;
    static final int OFF_FAMILY = 0;
    static final int OFF_TYPE = 2;
    static final int OFF_INDEX = 4;
    static final int OFF_FLAGS = 8;
    static final int OFF_CHANGE = 12;

    public byte[] encode() {
        byte[] b = new byte[SIZEOF];
        b[OFF_FAMILY] = (byte) family;
        Bytes.putShortLE(b, OFF_TYPE, (short) type);
        Bytes.putIntLE(b, OFF_INDEX, index);
        Bytes.putIntLE(b, OFF_FLAGS, flags);
        Bytes.putIntLE(b, OFF_CHANGE, change);
        return b;
    }

    public static IfInfoMsg decode(byte[] p) throws NetlinkFormatException {
        if (p.length < SIZEOF) {
            throw new NetlinkFormatException("ifinfomsg of " + p.length + " bytes, expected " + SIZEOF);
        }
        return new IfInfoMsg(p[OFF_FAMILY] & 0xff, Bytes.shortLE(p, OFF_TYPE) & 0xffff, Bytes.intLE(p, OFF_INDEX),
                Bytes.intLE(p, OFF_FLAGS), Bytes.intLE(p, OFF_CHANGE));
    }
}
