package io.mpsec.ipsec.inspect;

/**
 * What {@link PeerInspector} saw in a short capture of the traffic between the peers on one
 * interface, classified packet by packet, independently of the kernel counters.
 *
 * @param iface the interface captured on
 * @param captured packets captured between the peers (link-layer control frames excluded)
 * @param esp ESP packets (IP protocol 50, or UDP-encapsulated on port 4500)
 * @param cleartextTcp TCP packets whose headers and payload are readable on the wire
 * @param otherCleartext other readable IP packets (UDP, ICMP...)
 * @param unreadable packets the classifier could not read (truncated, unknown tunnels): they could hide anything
 * @param droppedByCapture packets libpcap lost (-1: unknown)
 */
public record InspectorVerdict(String iface, long captured, long esp, long cleartextTcp, long otherCleartext,
        long unreadable, long droppedByCapture) {
    /**
     * CLEARTEXT when any packet was readable (TCP or another protocol); ESP when ESP was seen and
     * every packet was ESP; UNKNOWN when nothing was captured, or when some packets could not be read.
     */
    public TrafficVerdict verdict() {
        if (cleartextTcp > 0 || otherCleartext > 0) {
            return TrafficVerdict.CLEARTEXT;
        }
        return esp > 0 && unreadable == 0 ? TrafficVerdict.ESP : TrafficVerdict.UNKNOWN;
    }
}
