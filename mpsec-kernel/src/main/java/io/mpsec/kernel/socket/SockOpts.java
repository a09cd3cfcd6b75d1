package io.mpsec.kernel.socket;

/**
 * Socket option levels and names used by MPSec.
 * Sources: include/uapi/asm-generic/socket.h, include/uapi/linux/in.h, in6.h, tcp.h (Linux 6.1) and
 * include/uapi/linux/mptcp.h (Linux 6.18; MPTCP_FULL_INFO since 6.5, TCP_IS_MPTCP since 6.10).
 */
public final class SockOpts {
    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_ERROR = 4;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_KEEPALIVE = 9;
    public static final int SO_OOBINLINE = 10;
    public static final int SO_LINGER = 13;
    public static final int SO_REUSEPORT = 15;
    public static final int SO_PROTOCOL = 38;
    public static final int SO_DOMAIN = 39;
    /** asm-generic/socket.h, Linux 4.12+; read-only. */
    public static final int SO_INCOMING_NAPI_ID = 56;

    public static final int SOL_IP = 0;
    public static final int IP_TOS = 1;
    public static final int SOL_IPV6 = 41;
    public static final int IPV6_V6ONLY = 26;
    public static final int IPV6_TCLASS = 67;

    public static final int SOL_TCP = 6;
    public static final int TCP_NODELAY = 1;
    /** linux/tcp.h: seconds of idle time before keepalive probes start. */
    public static final int TCP_KEEPIDLE = 4;
    /** linux/tcp.h: seconds between keepalive probes. */
    public static final int TCP_KEEPINTVL = 5;
    /** linux/tcp.h: unanswered keepalive probes before the connection is dropped. */
    public static final int TCP_KEEPCNT = 6;
    /** linux/tcp.h: quick-ack mode (not permanent: the kernel may leave it again). */
    public static final int TCP_QUICKACK = 12;
    public static final int TCP_INFO = 11;
    public static final int TCP_CONGESTION = 13;
    /** Linux 6.10+, commit "mptcp: add TCP_IS_MPTCP sockopt". */
    public static final int TCP_IS_MPTCP = 43;

    public static final int SOL_MPTCP = 284;
    public static final int MPTCP_INFO = 1;
    public static final int MPTCP_TCPINFO = 2;
    public static final int MPTCP_SUBFLOW_ADDRS = 3;
    public static final int MPTCP_FULL_INFO = 4;

    /** MAX_TCP_KEEPIDLE in include/net/tcp.h (not uapi; the kernel's EINVAL bound). */
    public static final int MAX_TCP_KEEPIDLE = 32767;
    /** MAX_TCP_KEEPINTVL in include/net/tcp.h. */
    public static final int MAX_TCP_KEEPINTVL = 32767;
    /** MAX_TCP_KEEPCNT in include/net/tcp.h. */
    public static final int MAX_TCP_KEEPCNT = 127;

    /** TCP_CA_NAME_MAX in include/net/tcp.h. */
    public static final int TCP_CA_NAME_MAX = 16;

    private SockOpts() {
    }
}
