package io.mpsec.kernel.rtnl;

import io.mpsec.kernel.ffi.Bytes;
import io.mpsec.kernel.netlink.NetlinkFormatException;

/**
 * <pre>
 * struct ifaddrmsg {
 *     __u8  ifa_family;
 *     __u8  ifa_prefixlen;
 *     __u8  ifa_flags;
 *     __u8  ifa_scope;
 *     __u32 ifa_index;
 * };                        // 8 bytes (include/uapi/linux/if_addr.h)
 * </pre>
 */
public record IfAddrMsg(int family, int prefixLen, int flags, int scope, int index) {
    public static final int SIZEOF = 8;

    public byte[] encode() {
        byte[] b = new byte[SIZEOF];
        b[0] = (byte) family;
        b[1] = (byte) prefixLen;
        b[2] = (byte) flags;
        b[3] = (byte) scope;
        Bytes.putIntLE(b, 4, index);
        return b;
    }

    public static IfAddrMsg decode(byte[] p) throws NetlinkFormatException {
        if (p.length < SIZEOF) {
            throw new NetlinkFormatException("ifaddrmsg of " + p.length + " bytes, expected " + SIZEOF);
        }
        return new IfAddrMsg(p[0] & 0xff, p[1] & 0xff, p[2] & 0xff, p[3] & 0xff, Bytes.intLE(p, 4));
    }
}
