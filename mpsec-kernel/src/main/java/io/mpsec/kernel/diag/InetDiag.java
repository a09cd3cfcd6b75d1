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
    /**
     * INET_DIAG_REQ_PROTOCOL (inet_diag.h, 5.10+): a u32 request attribute carrying a protocol that
     * does not fit in {@code sdiag_protocol} (IPPROTO_MPTCP is 262); needs the mptcp_diag module.
     */
    public static final int INET_DIAG_REQ_PROTOCOL = 3;
    /** INET_DIAG_CONG: the congestion control name, a NUL-terminated string. */
    public static final int INET_DIAG_CONG = 4;
    /** INET_ULP_INFO_NAME inside INET_DIAG_ULP_INFO: the ULP's name ("mptcp" for subflows). */
    public static final int INET_ULP_INFO_NAME = 1;
    /** MPTCP_SUBFLOW_ATTR_TOKEN_REM (mptcp.h): the peer's token, u32. */
    public static final int MPTCP_SUBFLOW_ATTR_TOKEN_REM = 1;
    /** MPTCP_SUBFLOW_ATTR_TOKEN_LOC (mptcp.h): this host's token, the one mptcp_info reports, u32. */
    public static final int MPTCP_SUBFLOW_ATTR_TOKEN_LOC = 2;
    /** MPTCP_SUBFLOW_ATTR_ID_REM (mptcp.h): the peer's address id of the subflow, u8. */
    public static final int MPTCP_SUBFLOW_ATTR_ID_REM = 9;
    /** MPTCP_SUBFLOW_ATTR_ID_LOC (mptcp.h): this host's address id of the subflow, u8. */
    public static final int MPTCP_SUBFLOW_ATTR_ID_LOC = 10;
    /** MPTCP_INFO_FLAG_FALLBACK in mptcpi_flags (mptcp.h): the connection fell back to plain TCP. */
    public static final int MPTCP_INFO_FLAG_FALLBACK = 1;
    /**
     * The TCP states of a connection that is neither listening, nor closed, nor in TIME_WAIT or a
     * request socket (include/net/tcp_states.h: {@code 1 << TCP_x} for ESTABLISHED 1, SYN_SENT 2,
     * FIN_WAIT1 4, FIN_WAIT2 5, CLOSE_WAIT 8, LAST_ACK 9, CLOSING 11), what {@code ss} lists by default.
     */
    public static final int CONNECTED_STATES = 1 << 1 | 1 << 2 | 1 << 4 | 1 << 5 | 1 << 8 | 1 << 9 | 1 << 11;
    /** sizeof(struct inet_diag_req_v2). */
    public static final int SIZEOF_REQ_V2 = 56;
    /** sizeof(struct inet_diag_msg). */
    public static final int SIZEOF_MSG = 72;

    private InetDiag() {
    }
}
