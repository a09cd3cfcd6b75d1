package io.mpsec.kernel.rtnl;

/**
 * rtnetlink constants. Sources: include/uapi/linux/rtnetlink.h (RTM_*, RTNLGRP_*),
 * include/uapi/linux/if_link.h (IFLA_*), include/uapi/linux/if_addr.h (IFA_*),
 * include/uapi/linux/if.h (IFF_*); Linux 6.18, values unchanged since 2.6.
 */
public final class Rtnl {
    public static final int RTM_NEWLINK = 16;
    public static final int RTM_DELLINK = 17;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_NEWADDR = 20;
    public static final int RTM_DELADDR = 21;
    public static final int RTM_GETADDR = 22;

    /** Multicast group numbers for NETLINK_ADD_MEMBERSHIP (enum rtnetlink_groups). */
    public static final int RTNLGRP_LINK = 1;
    public static final int RTNLGRP_IPV4_IFADDR = 5;
    public static final int RTNLGRP_IPV6_IFADDR = 9;

    public static final int IFLA_ADDRESS = 1;
    public static final int IFLA_IFNAME = 3;
    public static final int IFLA_MTU = 4;
    public static final int IFLA_OPERSTATE = 16;

    public static final int IFA_ADDRESS = 1;
    public static final int IFA_LOCAL = 2;
    public static final int IFA_LABEL = 3;

    public static final int IFF_UP = 0x1;
    public static final int IFF_RUNNING = 0x40;
    public static final int IFF_LOWER_UP = 0x10000;

    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    private Rtnl() {
    }
}
