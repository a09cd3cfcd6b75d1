package io.mpsec.ipsec.xfrm.wire;

import io.mpsec.kernel.netlink.NetlinkFormatException;

/**
 * {@code struct xfrm_usersa_flush} (1 byte): the body of FLUSHSA. iproute2 sends exactly one byte
 * (nlmsg_len 17), which the kernel accepts.
 *
 * <pre>
 * struct xfrm_usersa_flush {
 *     __u8 proto;   // IPPROTO_ESP, or 0 (IPSEC_PROTO_ANY is 255) for all
 * };
 * </pre>
 */
public record XfrmUsersaFlush(int proto) {
    public static final int SIZEOF = 1;

    public byte[] toBytes() {
        return new byte[] {(byte) proto};
    }

    public static XfrmUsersaFlush decode(byte[] body) throws NetlinkFormatException {
        if (body.length < SIZEOF) {
            throw new NetlinkFormatException("xfrm_usersa_flush needs 1 byte, got 0");
        }
        return new XfrmUsersaFlush(body[0] & 0xff);
    }
}
