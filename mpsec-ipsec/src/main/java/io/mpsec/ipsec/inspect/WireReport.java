package io.mpsec.ipsec.inspect;

/**
 * What a {@link WireInspector} saw on an interface.
 *
 * <p>Only {@link #provesNoCleartext()} turns the counts into a verdict: the inspector never calls a
 * capture clean when it lost packets or saw packets it could not read.
 *
 * @param totalPackets packets captured, except link-layer control frames (ARP, LLDP...): IP packets
 *     and the unknown ones
 * @param espPackets ESP packets (IP protocol 50, also UDP-encapsulated on port 4500)
 * @param cleartextTcpPackets TCP packets not inside ESP, whose payload is readable on the wire (TCP
 *     behind AH too: AH authenticates, it does not encrypt)
 * @param markerFound whether the plaintext marker appeared in any captured packet
 * @param droppedPackets packets the capture lost (libpcap's {@code ps_drop}: ring buffer full), or
 *     -1 when not measured; a report with drops cannot prove the absence of cleartext
 * @param unknownPackets packets the inspector could not read: truncated or malformed headers,
 *     tunnels and encapsulations it does not open (GRE, VXLAN, MPLS, PPPoE, MACsec...), protocols it
 *     does not know, a link type it does not support; they may hide cleartext, so a report with
 *     unknown packets cannot prove its absence either
 */
public record WireReport(long totalPackets, long espPackets, long cleartextTcpPackets, boolean markerFound,
        long droppedPackets, long unknownPackets) {
    /** A report without a drop count (-1) and without unknown packets. */
    public WireReport(long totalPackets, long espPackets, long cleartextTcpPackets, boolean markerFound) {
        this(totalPackets, espPackets, cleartextTcpPackets, markerFound, -1, 0);
    }

    /** A report without unknown packets. */
    public WireReport(long totalPackets, long espPackets, long cleartextTcpPackets, boolean markerFound, long droppedPackets) {
        this(totalPackets, espPackets, cleartextTcpPackets, markerFound, droppedPackets, 0);
    }

    /** This report with the capture's drop count. */
    public WireReport withDropped(long dropped) {
        return new WireReport(totalPackets, espPackets, cleartextTcpPackets, markerFound, dropped, unknownPackets);
    }

    /**
     * Whether this capture proves that nothing went in clear: ESP was seen, no cleartext TCP, no
     * marker, the drop count was measured and is 0, and every packet was readable (no unknown).
     */
    public boolean provesNoCleartext() {
        return espPackets > 0 && cleartextTcpPackets == 0 && !markerFound && droppedPackets == 0 && unknownPackets == 0;
    }
}
