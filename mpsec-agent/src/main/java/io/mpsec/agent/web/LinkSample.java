package io.mpsec.agent.web;

/**
 * One interface of one namespace at one instant: its flags from RTM_NEWLINK ({@code ifinfomsg.ifi_flags})
 * and its counters from {@code IFLA_STATS64}, both from the same message of one RTM_GETLINK dump.
 *
 * @param index interface index
 * @param name interface name
 * @param flags IFF_* flags (include/uapi/linux/if.h)
 * @param rxBytes bytes received
 * @param txBytes bytes sent
 * @param rxPackets packets received
 * @param txPackets packets sent
 * @param rxErrors receive errors
 * @param txErrors transmit errors
 * @param rxDrops packets dropped on receive
 * @param txDrops packets dropped on transmit
 */
public record LinkSample(int index, String name, int flags, long rxBytes, long txBytes, long rxPackets, long txPackets,
        long rxErrors, long txErrors, long rxDrops, long txDrops) {
    /** include/uapi/linux/if.h: IFF_UP. */
    static final int IFF_UP = 0x1;
    /** include/uapi/linux/if.h: IFF_LOOPBACK. */
    static final int IFF_LOOPBACK = 0x8;
    /** include/uapi/linux/if.h: IFF_LOWER_UP (driver signals L1 up: carrier). */
    static final int IFF_LOWER_UP = 0x10000;

    /** Administratively up ({@code ip link set DEV up}). */
    public boolean adminUp() {
        return (flags & IFF_UP) != 0;
    }

    /** Has carrier (IFF_LOWER_UP); a veth loses it when its peer goes down. */
    public boolean carrier() {
        return (flags & IFF_LOWER_UP) != 0;
    }

    /** A path: any interface but loopback. */
    public boolean path() {
        return (flags & IFF_LOOPBACK) == 0;
    }

    /** "up", "down" (administratively) or "no-carrier". */
    public String operState() {
        return !adminUp() ? "down" : carrier() ? "up" : "no-carrier";
    }
}
