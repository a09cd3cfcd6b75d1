package io.mpsec.agent.web;

import java.io.IOException;
import java.util.List;

/**
 * Per-interface packet counters of one namespace split by protection (for example from nftables or
 * BPF counters that match ESP and other IP traffic), for the packet security panel. Register one per
 * namespace with {@link Dashboard#packetSecurity(String, PacketSecuritySource)}; without one every
 * interface is shown as {@code unknown}. Counters are cumulative; the dashboard judges the last second
 * from their differences ({@link SecurityVerdict}).
 */
@FunctionalInterface
public interface PacketSecuritySource {
    /** No source: the protection of every interface is unknown. */
    PacketSecuritySource NONE = List::of;

    /** The counters now (called once a second; keep it cheap). */
    List<InterfaceCounters> counters() throws IOException;

    /**
     * Cumulative counters of one interface, both directions together.
     *
     * @param iface interface name
     * @param espPackets ESP packets (IP protocol 50)
     * @param espBytes ESP bytes
     * @param clearPackets other IP packets between the configured peers (cleartext)
     * @param clearBytes their bytes
     */
    record InterfaceCounters(String iface, long espPackets, long espBytes, long clearPackets, long clearBytes) {
    }
}
