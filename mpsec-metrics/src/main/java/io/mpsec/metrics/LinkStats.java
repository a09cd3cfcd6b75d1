package io.mpsec.metrics;

import io.mpsec.kernel.ffi.Bytes;
import io.mpsec.kernel.netlink.AttributeReader;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.rtnl.IfInfoMsg;

/**
 * The counters of one interface from the {@code IFLA_STATS64} attribute of an RTM_NEWLINK message:
 * the first eight fields of {@code struct rtnl_link_stats64} (include/uapi/linux/if_link.h), the same
 * numbers {@code ip -s link} prints.
 *
 * @param index interface index
 * @param name interface name
 * @param rxBytes bytes received
 * @param txBytes bytes sent
 * @param rxPackets packets received
 * @param txPackets packets sent
 * @param rxErrors receive errors
 * @param txErrors transmit errors
 * @param rxDropped packets dropped on receive
 * @param txDropped packets dropped on transmit
 */
public record LinkStats(int index, String name, long rxBytes, long txBytes, long rxPackets, long txPackets,
        long rxErrors, long txErrors, long rxDropped, long txDropped) {
    /** include/uapi/linux/if_link.h: IFLA_STATS64 (struct rtnl_link_stats64). */
    public static final int IFLA_STATS64 = 23;
    /** include/uapi/linux/if_link.h: IFLA_IFNAME. */
    static final int IFLA_IFNAME = 3;
    /** The eight leading __u64 fields read here. */
    static final int MIN_STATS64 = 8 * 8;

    /**
     * Decodes an RTM_NEWLINK message; {@code null} when it carries no (or a short) IFLA_STATS64.
     *
     * @throws NetlinkFormatException when the message is malformed
     */
    public static LinkStats decode(NetlinkMessage m) throws NetlinkFormatException {
        byte[] p = m.payload();
        IfInfoMsg h = IfInfoMsg.decode(p);
        AttributeReader a = AttributeReader.parse(p, IfInfoMsg.SIZEOF, p.length - IfInfoMsg.SIZEOF, "ifinfomsg");
        if (!a.has(IFLA_STATS64)) {
            return null;
        }
        byte[] s = a.bytes(IFLA_STATS64);
        if (s.length < MIN_STATS64) {
            return null;
        }
        // rx_packets, tx_packets, rx_bytes, tx_bytes, rx_errors, tx_errors, rx_dropped, tx_dropped
        return new LinkStats(h.index(), a.stringOr(IFLA_IFNAME, "if" + h.index()), Bytes.longLE(s, 16),
                Bytes.longLE(s, 24), Bytes.longLE(s, 0), Bytes.longLE(s, 8), Bytes.longLE(s, 32), Bytes.longLE(s, 40),
                Bytes.longLE(s, 48), Bytes.longLE(s, 56));
    }
}
