package io.mpsec.kernel.pm;

/**
 * Constants of the {@code mptcp_pm} generic netlink family.
 *
 * <p>Source: include/uapi/linux/mptcp_pm.h (generated from Documentation/netlink/specs/mptcp_pm.yaml,
 * Linux 6.18) and include/uapi/linux/mptcp.h (address flags; LAMINAR added in 6.18). The values
 * below 6.1 ({@code /usr/include/linux/mptcp.h} on Debian 12) are identical; LAMINAR is newer and
 * probed at run time (see {@link MptcpPathManager#supportsFlag}).
 */
public final class MptcpPmUapi {
    public static final String FAMILY = "mptcp_pm";
    public static final int VERSION = 1;
    public static final String GROUP_CMDS = "mptcp_pm_cmds";
    public static final String GROUP_EVENTS = "mptcp_pm_events";

    // enum mptcp_pm_cmd (MPTCP_PM_CMD_*)
    public static final int CMD_ADD_ADDR = 1;
    public static final int CMD_DEL_ADDR = 2;
    public static final int CMD_GET_ADDR = 3;
    public static final int CMD_FLUSH_ADDRS = 4;
    public static final int CMD_SET_LIMITS = 5;
    public static final int CMD_GET_LIMITS = 6;
    public static final int CMD_SET_FLAGS = 7;
    public static final int CMD_ANNOUNCE = 8;
    public static final int CMD_REMOVE = 9;
    public static final int CMD_SUBFLOW_CREATE = 10;
    public static final int CMD_SUBFLOW_DESTROY = 11;

    // MPTCP_PM_ATTR_* (top level)
    public static final int ATTR_ADDR = 1;
    public static final int ATTR_RCV_ADD_ADDRS = 2;
    public static final int ATTR_SUBFLOWS = 3;
    public static final int ATTR_TOKEN = 4;
    public static final int ATTR_LOC_ID = 5;
    public static final int ATTR_ADDR_REMOTE = 6;

    // MPTCP_PM_ADDR_ATTR_* (nested in ATTR_ADDR / ATTR_ADDR_REMOTE)
    public static final int ADDR_ATTR_FAMILY = 1;  // u16
    public static final int ADDR_ATTR_ID = 2;      // u8
    public static final int ADDR_ATTR_ADDR4 = 3;   // struct in_addr (network order)
    public static final int ADDR_ATTR_ADDR6 = 4;   // struct in6_addr
    public static final int ADDR_ATTR_PORT = 5;    // u16, HOST byte order (unlike the events' ports)
    public static final int ADDR_ATTR_FLAGS = 6;   // u32
    public static final int ADDR_ATTR_IF_IDX = 7;  // s32

    // MPTCP_PM_ADDR_FLAG_* (mptcp.h)
    public static final int FLAG_SIGNAL = 1;
    public static final int FLAG_SUBFLOW = 1 << 1;
    public static final int FLAG_BACKUP = 1 << 2;
    public static final int FLAG_FULLMESH = 1 << 3;
    public static final int FLAG_IMPLICIT = 1 << 4;
    /** Linux 6.18+. */
    public static final int FLAG_LAMINAR = 1 << 5;

    // enum mptcp_event_type (MPTCP_EVENT_*)
    public static final int EVENT_CREATED = 1;
    public static final int EVENT_ESTABLISHED = 2;
    public static final int EVENT_CLOSED = 3;
    public static final int EVENT_ANNOUNCED = 6;
    public static final int EVENT_REMOVED = 7;
    public static final int EVENT_SUB_ESTABLISHED = 10;
    public static final int EVENT_SUB_CLOSED = 11;
    public static final int EVENT_SUB_PRIORITY = 13;
    public static final int EVENT_LISTENER_CREATED = 15;
    public static final int EVENT_LISTENER_CLOSED = 16;

    // MPTCP_ATTR_* (event attributes)
    public static final int EV_ATTR_TOKEN = 1;        // u32
    public static final int EV_ATTR_FAMILY = 2;       // u16
    public static final int EV_ATTR_LOC_ID = 3;       // u8
    public static final int EV_ATTR_REM_ID = 4;       // u8
    public static final int EV_ATTR_SADDR4 = 5;       // be32
    public static final int EV_ATTR_SADDR6 = 6;       // in6_addr
    public static final int EV_ATTR_DADDR4 = 7;       // be32
    public static final int EV_ATTR_DADDR6 = 8;       // in6_addr
    public static final int EV_ATTR_SPORT = 9;        // be16 (NETWORK byte order)
    public static final int EV_ATTR_DPORT = 10;       // be16 (NETWORK byte order)
    public static final int EV_ATTR_BACKUP = 11;      // u8
    public static final int EV_ATTR_ERROR = 12;       // u8
    public static final int EV_ATTR_FLAGS = 13;       // u16
    public static final int EV_ATTR_TIMEOUT = 14;     // u32
    public static final int EV_ATTR_IF_IDX = 15;      // s32
    public static final int EV_ATTR_RESET_REASON = 16; // u32
    public static final int EV_ATTR_RESET_FLAGS = 17; // u32
    public static final int EV_ATTR_SERVER_SIDE = 18; // u8

    // AF_* (bits/socket.h)
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    private MptcpPmUapi() {
    }
}
