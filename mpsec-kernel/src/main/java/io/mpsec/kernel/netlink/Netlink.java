package io.mpsec.kernel.netlink;

/**
 * Constants of the netlink wire protocol.
 *
 * <p>Source: include/uapi/linux/netlink.h (Linux 6.18; values unchanged since 4.12 except where
 * noted) and include/linux/socket.h ({@code SOL_NETLINK}).
 */
public final class Netlink {
    /** {@code sizeof(struct nlmsghdr)}: u32 len, u16 type, u16 flags, u32 seq, u32 pid. */
    public static final int NLMSG_HDRLEN = 16;
    /** Netlink messages and attributes are aligned to 4 bytes (NLMSG_ALIGNTO, NLA_ALIGNTO). */
    public static final int ALIGNTO = 4;

    // Reserved message types (netlink.h).
    public static final int NLMSG_NOOP = 0x1;
    public static final int NLMSG_ERROR = 0x2;
    public static final int NLMSG_DONE = 0x3;
    public static final int NLMSG_OVERRUN = 0x4;
    /** Types below this value are reserved for control messages. */
    public static final int NLMSG_MIN_TYPE = 0x10;

    // nlmsg_flags (netlink.h).
    public static final int NLM_F_REQUEST = 0x01;
    public static final int NLM_F_MULTI = 0x02;
    public static final int NLM_F_ACK = 0x04;
    public static final int NLM_F_ECHO = 0x08;
    /** Dump was inconsistent due to sequence change (the object set changed during the dump). */
    public static final int NLM_F_DUMP_INTR = 0x10;
    public static final int NLM_F_DUMP_FILTERED = 0x20;
    // Modifiers to GET requests.
    public static final int NLM_F_ROOT = 0x100;
    public static final int NLM_F_MATCH = 0x200;
    public static final int NLM_F_ATOMIC = 0x400;
    public static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    // Modifiers to NEW requests.
    public static final int NLM_F_REPLACE = 0x100;
    public static final int NLM_F_EXCL = 0x200;
    public static final int NLM_F_CREATE = 0x400;
    public static final int NLM_F_APPEND = 0x800;
    // Flags for ACK messages (4.12+).
    /** The error message does not carry the whole request, only its header. */
    public static final int NLM_F_CAPPED = 0x100;
    /** Extended ACK TLVs follow the error payload. */
    public static final int NLM_F_ACK_TLVS = 0x200;

    // enum nlmsgerr_attrs (netlink.h, 4.12+; POLICY 5.10+, MISS_* 6.1+).
    public static final int NLMSGERR_ATTR_MSG = 1;
    public static final int NLMSGERR_ATTR_OFFS = 2;
    public static final int NLMSGERR_ATTR_COOKIE = 3;
    public static final int NLMSGERR_ATTR_POLICY = 4;
    public static final int NLMSGERR_ATTR_MISS_TYPE = 5;
    public static final int NLMSGERR_ATTR_MISS_NEST = 6;

    // Attribute type flags (netlink.h).
    public static final int NLA_F_NESTED = 1 << 15;
    public static final int NLA_F_NET_BYTEORDER = 1 << 14;
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;
    /** {@code sizeof(struct nlattr)}: u16 len, u16 type. */
    public static final int NLA_HDRLEN = 4;

    // Socket level and options: SOL_NETLINK from include/linux/socket.h, options from netlink.h.
    public static final int SOL_NETLINK = 270;
    public static final int NETLINK_ADD_MEMBERSHIP = 1;
    public static final int NETLINK_DROP_MEMBERSHIP = 2;
    public static final int NETLINK_CAP_ACK = 10;
    public static final int NETLINK_EXT_ACK = 11;
    public static final int NETLINK_GET_STRICT_CHK = 12;

    // Socket-level options for the receive buffer: include/uapi/asm-generic/socket.h (Linux 6.18;
    // SO_RCVBUFFORCE since 2.6.14). Same values on x86_64 and arm64.
    public static final int SOL_SOCKET = 1;
    public static final int SO_RCVBUF = 8;
    public static final int SO_RCVBUFFORCE = 33;

    // Protocols (netlink.h).
    public static final int NETLINK_ROUTE = 0;
    public static final int NETLINK_XFRM = 6;
    public static final int NETLINK_GENERIC = 16;

    private Netlink() {
    }

    /** {@code NLMSG_ALIGN} / {@code NLA_ALIGN}. */
    public static int align(int len) {
        return (len + ALIGNTO - 1) & ~(ALIGNTO - 1);
    }
}
