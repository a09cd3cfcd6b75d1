package io.mpsec.ipsec.xfrm.wire;

/**
 * Constants of the xfrm netlink interface.
 *
 * <p>Values are taken from {@code include/uapi/linux/xfrm.h} of Linux 6.1 (the header installed at
 * {@code /usr/include/linux/xfrm.h} on Debian 12, identical for these values in Linux 6.18), and
 * {@code include/uapi/linux/netlink.h}, {@code include/uapi/linux/in.h}, {@code include/linux/socket.h}.
 */
public final class Xfrm {
    private Xfrm() {
    }

    /** {@code NETLINK_XFRM} (include/uapi/linux/netlink.h). */
    public static final int NETLINK_XFRM = 6;

    // include/linux/socket.h
    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    // include/uapi/linux/in.h
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    public static final int IPPROTO_ESP = 50;
    public static final int IPPROTO_AH = 51;

    /** {@code XFRM_INF}: no limit. */
    public static final long XFRM_INF = -1L;

    // enum of message types
    public static final int XFRM_MSG_NEWSA = 0x10;
    public static final int XFRM_MSG_DELSA = 0x11;
    public static final int XFRM_MSG_GETSA = 0x12;
    public static final int XFRM_MSG_NEWPOLICY = 0x13;
    public static final int XFRM_MSG_DELPOLICY = 0x14;
    public static final int XFRM_MSG_GETPOLICY = 0x15;
    public static final int XFRM_MSG_ALLOCSPI = 0x16;
    public static final int XFRM_MSG_ACQUIRE = 0x17;
    public static final int XFRM_MSG_EXPIRE = 0x18;
    public static final int XFRM_MSG_UPDPOLICY = 0x19;
    public static final int XFRM_MSG_UPDSA = 0x1a;
    public static final int XFRM_MSG_POLEXPIRE = 0x1b;
    public static final int XFRM_MSG_FLUSHSA = 0x1c;
    public static final int XFRM_MSG_FLUSHPOLICY = 0x1d;
    public static final int XFRM_MSG_NEWAE = 0x1e;
    public static final int XFRM_MSG_GETAE = 0x1f;

    // enum xfrm_attr_type_t
    public static final int XFRMA_ALG_AUTH = 1;
    public static final int XFRMA_ALG_CRYPT = 2;
    public static final int XFRMA_ALG_COMP = 3;
    public static final int XFRMA_ENCAP = 4;
    public static final int XFRMA_TMPL = 5;
    public static final int XFRMA_SA = 6;
    public static final int XFRMA_POLICY = 7;
    public static final int XFRMA_SEC_CTX = 8;
    public static final int XFRMA_LTIME_VAL = 9;
    public static final int XFRMA_REPLAY_VAL = 10;
    public static final int XFRMA_REPLAY_THRESH = 11;
    public static final int XFRMA_ETIMER_THRESH = 12;
    public static final int XFRMA_SRCADDR = 13;
    public static final int XFRMA_COADDR = 14;
    public static final int XFRMA_LASTUSED = 15;
    public static final int XFRMA_POLICY_TYPE = 16;
    public static final int XFRMA_MIGRATE = 17;
    public static final int XFRMA_ALG_AEAD = 18;
    public static final int XFRMA_KMADDRESS = 19;
    public static final int XFRMA_ALG_AUTH_TRUNC = 20;
    public static final int XFRMA_MARK = 21;
    public static final int XFRMA_TFCPAD = 22;
    public static final int XFRMA_REPLAY_ESN_VAL = 23;
    public static final int XFRMA_SA_EXTRA_FLAGS = 24;
    public static final int XFRMA_PROTO = 25;
    public static final int XFRMA_ADDRESS_FILTER = 26;
    public static final int XFRMA_PAD = 27;
    public static final int XFRMA_OFFLOAD_DEV = 28;
    public static final int XFRMA_SET_MARK = 29;
    public static final int XFRMA_SET_MARK_MASK = 30;
    public static final int XFRMA_IF_ID = 31;
    public static final int XFRMA_MTIMER_THRESH = 32;

    // policy directions
    public static final int XFRM_POLICY_IN = 0;
    public static final int XFRM_POLICY_OUT = 1;
    public static final int XFRM_POLICY_FWD = 2;
    // policy actions
    public static final int XFRM_POLICY_ALLOW = 0;
    public static final int XFRM_POLICY_BLOCK = 1;
    // policy types
    public static final int XFRM_POLICY_TYPE_MAIN = 0;
    // share
    public static final int XFRM_SHARE_ANY = 0;

    // modes
    public static final int XFRM_MODE_TRANSPORT = 0;
    public static final int XFRM_MODE_TUNNEL = 1;

    // xfrm_usersa_info.flags
    public static final int XFRM_STATE_NOECN = 1;
    public static final int XFRM_STATE_AF_UNSPEC = 32;
    public static final int XFRM_STATE_ESN = 128;

    // enum xfrm_ae_ftype_t
    public static final int XFRM_AE_RTHR = 1;
    public static final int XFRM_AE_RVAL = 2;
    public static final int XFRM_AE_LVAL = 4;
    public static final int XFRM_AE_ETHR = 8;

    // enum xfrm_nlgroups (multicast group numbers, not bit masks)
    public static final int XFRMNLGRP_ACQUIRE = 1;
    public static final int XFRMNLGRP_EXPIRE = 2;
    public static final int XFRMNLGRP_SA = 3;
    public static final int XFRMNLGRP_POLICY = 4;
    public static final int XFRMNLGRP_AEVENTS = 5;

    /** {@code XFRMA_REPLAY_ESN_MAX}: the largest replay window in packets. */
    public static final int XFRMA_REPLAY_ESN_MAX = 4096;
}
