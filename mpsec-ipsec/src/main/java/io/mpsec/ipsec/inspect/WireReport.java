package io.mpsec.ipsec.inspect;

/**
 * What a {@link WireInspector} saw on an interface.
 *
 * @param totalPackets IP packets captured
 * @param espPackets ESP packets (IP protocol 50)
 * @param cleartextTcpPackets TCP packets not inside ESP (their payload is readable on the wire)
 * @param markerFound whether the plaintext marker appeared in any captured packet
 * @param droppedPackets packets the capture lost (libpcap's {@code ps_drop}: ring buffer full), or
 *     -1 when not measured; a report with drops cannot prove the absence of cleartext
 */
public record WireReport(long totalPackets, long espPackets, long cleartextTcpPackets, boolean markerFound, long droppedPackets) {
    /** A report without a drop count (-1). */
    public WireReport(long totalPackets, long espPackets, long cleartextTcpPackets, boolean markerFound) {
        this(totalPackets, espPackets, cleartextTcpPackets, markerFound, -1);
    }

    /** This report with the capture's drop count. */
    public WireReport withDropped(long dropped) {
        return new WireReport(totalPackets, espPackets, cleartextTcpPackets, markerFound, dropped);
    }
}
