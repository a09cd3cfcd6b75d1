package io.mpsec.kernel.netlink;

import io.mpsec.kernel.ffi.Bytes;

/**
 * The payload of an {@code NLMSG_ERROR} message: an ACK when {@link #errno()} is 0.
 *
 * <pre>
 * struct nlmsgerr {
 *     int error;              // negative errno or 0 for an ACK
 *     struct nlmsghdr msg;    // the request header (and its payload unless NLM_F_CAPPED)
 *     // followed by struct nlattr[] when NLM_F_ACK_TLVS is set (enum nlmsgerr_attrs)
 * };
 * </pre>
 * Source: include/uapi/linux/netlink.h (Linux 6.18).
 *
 * @param errno positive errno, 0 for an ACK
 * @param requestSeq sequence number of the request this answers
 * @param extAck {@code NLMSGERR_ATTR_MSG}, or {@code null}
 * @param extAckOffset {@code NLMSGERR_ATTR_OFFS} (offset of the offending attribute in the request), or -1
 */
public record NetlinkError(int errno, int requestSeq, String extAck, long extAckOffset) {
    /** {@code sizeof(int) + sizeof(struct nlmsghdr)}. */
    public static final int MIN_SIZE = 4 + Netlink.NLMSG_HDRLEN;
    /** The largest errno value (include/linux/err.h MAX_ERRNO): error fields below -4095 are not errnos. */
    static final int MAX_ERRNO = 4095;

    public boolean isAck() {
        return errno == 0;
    }

    /** Decodes the payload of an NLMSG_ERROR message with header flags {@code flags}. */
    public static NetlinkError decode(NetlinkMessage m) throws NetlinkFormatException {
        byte[] p = m.payload();
        if (p.length < MIN_SIZE) {
            throw new NetlinkFormatException("NLMSG_ERROR payload of " + p.length + " bytes, expected at least " + MIN_SIZE);
        }
        int error = Bytes.intLE(p, 0);
        if (error > 0 || error < -MAX_ERRNO) {
            throw new NetlinkFormatException("NLMSG_ERROR carries error " + error
                    + "; the kernel sends 0 (ACK) or a negative errno down to -" + MAX_ERRNO);
        }
        long reqLen = Bytes.uintLE(p, 4);
        int reqSeq = Bytes.intLE(p, 12);
        String msg = null;
        long offs = -1;
        if (m.hasFlag(Netlink.NLM_F_ACK_TLVS)) {
            // The echoed request is its header only when CAPPED (or for an ACK), else the whole request;
            // nlmsg_len of the echo is unsigned and may be anything in a corrupt message: long arithmetic.
            long echoed = m.hasFlag(Netlink.NLM_F_CAPPED) ? Netlink.NLMSG_HDRLEN : (reqLen + Netlink.ALIGNTO - 1) & ~3L;
            long tlvStart = 4 + echoed;
            if (tlvStart <= p.length) {
                AttributeReader a = AttributeReader.parse(p, (int) tlvStart, p.length - (int) tlvStart, "nlmsgerr");
                msg = a.stringOr(Netlink.NLMSGERR_ATTR_MSG, null);
                offs = a.u32Or(Netlink.NLMSGERR_ATTR_OFFS, -1);
            }
        }
        return new NetlinkError(-error, reqSeq, msg, offs);
    }

    /** Encodes an error/ACK for {@code request} (used by the fake kernel): capped, with TLVs when {@code extAck != null}. */
    public static NetlinkMessage encode(NetlinkMessage request, int errno, String extAck) {
        AttributeWriter w = new AttributeWriter();
        byte[] head = new byte[MIN_SIZE];
        Bytes.putIntLE(head, 0, -errno);
        Bytes.putIntLE(head, 4, Netlink.NLMSG_HDRLEN + request.payloadLength());
        Bytes.putShortLE(head, 8, (short) request.type());
        Bytes.putShortLE(head, 10, (short) request.flags());
        Bytes.putIntLE(head, 12, request.seq());
        Bytes.putIntLE(head, 16, request.pid());
        w.raw(head);
        int flags = Netlink.NLM_F_CAPPED;
        if (extAck != null) {
            w.string(Netlink.NLMSGERR_ATTR_MSG, extAck);
            flags |= Netlink.NLM_F_ACK_TLVS;
        }
        return new NetlinkMessage(Netlink.NLMSG_ERROR, flags, request.seq(), request.pid(), w.toByteArray());
    }
}
