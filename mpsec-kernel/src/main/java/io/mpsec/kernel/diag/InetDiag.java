package io.mpsec.kernel.diag;

/**
 * sock_diag / inet_diag constants.
 * Sources: include/uapi/linux/sock_diag.h, inet_diag.h, tcp.h and mptcp.h (Linux 6.18; ULP info
 * since 5.3, its MPTCP part since 5.7).
 */
public final class InetDiag {
    /** NETLINK_SOCK_DIAG (linux/netlink.h). */
    public static final int NETLINK_SOCK_DIAG = 4;
    /** SOCK_DIAG_BY_FAMILY (sock_diag.h). */
    public static final int SOCK_DIAG_BY_FAMILY = 20;
    /** INET_DIAG_INFO: ask for struct tcp_info. */
    public static final int INET_DIAG_INFO = 2;
    /** INET_DIAG_ULP_INFO: nested upper-layer-protocol info (needs CAP_NET_ADMIN). */
    public static final int INET_DIAG_ULP_INFO = 19;
    /** INET_ULP_INFO_MPTCP inside INET_DIAG_ULP_INFO. */
    public static final int INET_ULP_INFO_MPTCP = 3;
    /** MPTCP_SUBFLOW_ATTR_FLAGS inside INET_ULP_INFO_MPTCP. */
    public static final int MPTCP_SUBFLOW_ATTR_FLAGS = 8;
    /** MPTCP_SUBFLOW_FLAG_BKUP_REM: the peer asked for this subflow to be a backup. */
    public static final int MPTCP_SUBFLOW_FLAG_BKUP_REM = 1 << 4;
    /** MPTCP_SUBFLOW_FLAG_BKUP_LOC: this host marked the subflow as a backup. */
    public static final int MPTCP_SUBFLOW_FLAG_BKUP_LOC = 1 << 5;
    /** INET_DIAG_NOCOOKIE: exact lookup without a cookie. */
    public static final int INET_DIAG_NOCOOKIE = 0xFFFFFFFF;
    /** sizeof(struct inet_diag_req_v2). */
    public static final int SIZEOF_REQ_V2 = 56;
    /** sizeof(struct inet_diag_msg). */
    public static final int SIZEOF_MSG = 72;

    private InetDiag() {
    }
}
